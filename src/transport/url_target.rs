//! Targets given as URLs (`ws://`, `wss://`, `http://`, `https://`): the
//! scheme, host, port and path, read once for every transport reached by
//! URL.

/// A URL target's parts.
pub(super) struct UrlTarget {
    /// The secure scheme (`wss`, `https`): TLS from the first byte.
    pub secure: bool,
    /// The host, without the brackets of an IPv6 literal: the name a
    /// certificate must carry.
    pub host: String,
    /// `host:port` to connect to, the port defaulting to 443 or 80.
    pub address: String,
    /// The authority as written (`Host` header).
    pub authority: String,
    /// The path and query, `/` when none.
    pub path: String,
}

/// `None` when `target` starts with neither `{secure}://` nor
/// `{plain}://` (it is another kind of target); the reason when it does
/// but is malformed.
pub(super) fn parse(target: &str, secure: &str, plain: &str) -> Option<Result<UrlTarget, String>> {
    let secure = if target.starts_with(&format!("{secure}://")) {
        true
    } else if target.starts_with(&format!("{plain}://")) {
        false
    } else {
        return None;
    };
    Some((|| {
        let uri: hyper::Uri = target.parse().map_err(|e| format!("{e}"))?;
        let host = uri.host().ok_or_else(|| "no host".to_string())?;
        let port = uri.port_u16().unwrap_or(if secure { 443 } else { 80 });
        Ok(UrlTarget {
            secure,
            host: host
                .trim_start_matches('[')
                .trim_end_matches(']')
                .to_string(),
            address: format!("{host}:{port}"),
            authority: uri
                .authority()
                .map_or_else(|| host.to_string(), |a| a.to_string()),
            path: uri
                .path_and_query()
                .map_or("/".to_string(), |p| p.to_string()),
        })
    })())
}
