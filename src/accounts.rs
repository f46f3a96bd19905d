//! The accounts a run can log in as, by name.
//!
//! A scenario about several users (routing between them, presence,
//! subscriptions) names the accounts it needs in its front matter
//! (`accounts = ["romeo", "juliet"]`), and each of its connections logs in
//! as one of them. The run provides them: `--account romeo=romeo@localhost:secret`
//! (repeatable), an accounts file for CI so that passwords need not be on
//! the command line, and `--user`/`--password`, which stay the *default*
//! account (the one a connection uses when no account is named).
//!
//! Every password is a [`Secret`]: no report, transcript or message shows
//! it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::sasl::Secret;

/// The accounts the built-in scenarios with several users name, the cast
/// of RFC 6121's examples: the reference server (`demo`) and the test
/// servers register each of them.
///
/// `imNN` are the accounts of the RFC 6121 scenarios, one or two per
/// scenario and used by no other, so that the rosters, subscriptions and
/// presence one scenario sets up never reach another running beside it.
pub const CAST: [&str; 83] = [
    "romeo", "juliet", "nurse", "im01", "im02", "im03", "im04", "im05", "im06", "im07", "im08",
    "im09", "im10", "im11", "im12", "im13", "im14", "im15", "im16", "im17", "im18", "im19", "im20",
    "im21", "im22", "im23", "im24", "im25", "im26", "im27", "im28", "im29", "im30", "im31", "im32",
    "im33", "im34", "im35", "im36", "im37", "im38", "im39", "im40", "im41", "im42", "im43", "im44",
    "im45", "im46", "im47", "im48", "im49", "im50", "im51", "im52", "im53", "im54", "im55", "im56",
    "im57", "im58", "im59", "im60", "im61", "im62", "im63", "im64", "im65", "im66", "im67", "im68",
    "im69", "im70", "im71", "im72", "im73", "im74", "im75", "im76", "im77", "im78", "im79", "im80",
];

/// The [`CAST`] as accounts at `domain`, all with `password`: what the
/// reference server registers for `demo` and the tests.
pub fn cast(domain: &str, password: &str) -> Accounts {
    let mut accounts = Accounts::new();
    for name in CAST {
        accounts.by_name.insert(
            name.to_string(),
            Account {
                name: name.to_string(),
                user: name.to_string(),
                domain: domain.to_string(),
                password: Secret::new(password),
                resource: None,
                connect_host: None,
                connect_port: None,
            },
        );
    }
    accounts
}

/// The name under which `--user`/`--password` is known.
pub const DEFAULT_ACCOUNT: &str = "default";

/// One account on the server under test.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    /// What scenarios call it (`romeo`).
    pub name: String,
    /// The localpart it authenticates with (SASL's authcid).
    pub user: String,
    /// The domainpart of its JID.
    pub domain: String,
    pub password: Secret,
    /// The resource `login` binds for it (a scansion `[Client]`'s
    /// `resource`, or its full JID's); `None`: the run's `--resource`, else
    /// the server's choice.
    pub resource: Option<String>,
    /// Where its connections go instead of the run's target (a scansion
    /// `[Client]`'s `connect_host` and `connect_port`), each part that is
    /// `None` taken from the target.
    pub connect_host: Option<String>,
    pub connect_port: Option<u16>,
}

impl Account {
    /// The account's bare JID, `user@domain`.
    pub fn jid(&self) -> String {
        format!("{}@{}", self.user, self.domain)
    }
}

/// Why an account could not be read.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum AccountError {
    #[error(
        "--account `{0}`: expected NAME=USER@DOMAIN:PASSWORD (e.g. romeo=romeo@localhost:secret)"
    )]
    Syntax(String),
    #[error("account name `{0}`: use letters, digits, `_` and `-`, starting with a letter")]
    Name(String),
    #[error("account `{name}`: `{jid}` is not a bare JID USER@DOMAIN")]
    Jid { name: String, jid: String },
    #[error("account `{0}` is given twice")]
    Duplicate(String),
    #[error("cannot read the accounts file {path}: {reason}")]
    File { path: PathBuf, reason: String },
}

/// The run's accounts, by name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Accounts {
    by_name: BTreeMap<String, Account>,
}

impl Accounts {
    pub fn new() -> Self {
        Accounts::default()
    }

    pub fn get(&self, name: &str) -> Option<&Account> {
        self.by_name.get(name)
    }

    /// The account `--user`/`--password` gave, if any.
    pub fn default_account(&self) -> Option<&Account> {
        self.get(DEFAULT_ACCOUNT)
    }

    pub fn iter(&self) -> impl Iterator<Item = &Account> {
        self.by_name.values()
    }

    pub fn len(&self) -> usize {
        self.by_name.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_name.is_empty()
    }

    /// Add `account`; a name may be given once only.
    pub fn add(&mut self, account: Account) -> Result<(), AccountError> {
        if self.by_name.contains_key(&account.name) {
            return Err(AccountError::Duplicate(account.name));
        }
        self.by_name.insert(account.name.clone(), account);
        Ok(())
    }

    /// The names among `wanted` that this run has no account for.
    pub fn missing<'a>(&self, wanted: &'a [String]) -> Vec<&'a str> {
        wanted
            .iter()
            .filter(|w| !self.by_name.contains_key(w.as_str()))
            .map(String::as_str)
            .collect()
    }

    /// Every password, for redaction where a value could carry one.
    pub fn passwords(&self) -> impl Iterator<Item = &Secret> {
        self.by_name.values().map(|a| &a.password)
    }
}

/// Whether `name` can name an account: it is used in placeholders
/// (`{$romeo.jid}`), so it keeps to the characters of a capture's name.
pub fn is_account_name(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// An account from its JID and password.
pub fn account(name: &str, jid: &str, password: &str) -> Result<Account, AccountError> {
    if !is_account_name(name) {
        return Err(AccountError::Name(name.to_string()));
    }
    let (user, domain) = jid
        .split_once('@')
        .filter(|(u, d)| !u.is_empty() && !d.is_empty() && !d.contains(['@', '/']))
        .ok_or_else(|| AccountError::Jid {
            name: name.to_string(),
            jid: jid.to_string(),
        })?;
    Ok(Account {
        name: name.to_string(),
        user: user.to_string(),
        domain: domain.to_string(),
        password: Secret::new(password),
        resource: None,
        connect_host: None,
        connect_port: None,
    })
}

/// An account a scenario defines itself (scansion's `[Client]` blocks):
/// `jid` may be a full JID, whose resource is then the one bound unless
/// `resource` says otherwise.
pub fn defined_account(
    name: &str,
    jid: &str,
    password: &str,
    resource: Option<&str>,
) -> Result<Account, AccountError> {
    let (bare, from_jid) = match jid.split_once('/') {
        Some((bare, r)) if !r.is_empty() => (bare, Some(r)),
        Some(_) => {
            return Err(AccountError::Jid {
                name: name.to_string(),
                jid: jid.to_string(),
            });
        }
        None => (jid, None),
    };
    let mut a = account(name, bare, password)?;
    a.resource = resource.or(from_jid).map(str::to_string);
    Ok(a)
}

/// `NAME=USER@DOMAIN:PASSWORD`; the password is everything after the first
/// `:` that follows the JID, so it may itself contain `:`.
pub fn parse_account_arg(arg: &str) -> Result<Account, AccountError> {
    let syntax = || AccountError::Syntax(redact_password(arg));
    let (name, rest) = arg.split_once('=').ok_or_else(syntax)?;
    let (jid, password) = rest.split_once(':').ok_or_else(syntax)?;
    account(name, jid, password)
}

/// The argument as an error message may show it: the text after the JID's
/// `:` is the password.
fn redact_password(arg: &str) -> String {
    match arg.split_once('=').and_then(|(n, rest)| {
        rest.split_once(':')
            .map(|(jid, _)| format!("{n}={jid}:[redacted]"))
    }) {
        Some(shown) => shown,
        None => arg.to_string(),
    }
}

/// An accounts file (TOML), one table per account:
///
/// ```toml
/// [romeo]
/// jid = "romeo@localhost"
/// password = "secret"
/// ```
pub fn load_file(path: &Path) -> Result<Vec<Account>, AccountError> {
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Entry {
        jid: String,
        password: String,
    }
    let file_error = |reason: String| AccountError::File {
        path: path.to_path_buf(),
        reason,
    };
    let text = std::fs::read_to_string(path).map_err(|e| file_error(e.to_string()))?;
    let entries: BTreeMap<String, Entry> =
        toml::from_str(&text).map_err(|e| file_error(e.message().to_string()))?;
    entries
        .iter()
        .map(|(name, e)| account(name, &e.jid, &e.password))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_account_argument_names_a_jid_and_a_password_that_may_hold_colons() {
        let a = parse_account_arg("juliet=juliet@capulet.lit:pass:word").expect("valid");
        assert_eq!(a.name, "juliet");
        assert_eq!(a.jid(), "juliet@capulet.lit");
        assert_eq!(a.password.expose(), "pass:word");
    }

    #[test]
    fn a_bad_argument_is_refused_without_showing_the_password() {
        let e = parse_account_arg("romeo=romeo-at-localhost:secret").expect_err("no @");
        assert!(matches!(e, AccountError::Jid { .. }), "{e}");
        let e = parse_account_arg("romeo:secret").expect_err("no =");
        assert_eq!(e, AccountError::Syntax("romeo:secret".into()));
        let e = parse_account_arg("romeo=romeo@localhost").expect_err("no password");
        assert!(matches!(e, AccountError::Syntax(_)), "{e}");
        let e = parse_account_arg("1x=a@b:secret").expect_err("bad name");
        assert_eq!(e, AccountError::Name("1x".into()));
        assert_eq!(
            redact_password("n=a@b:hunter2"),
            "n=a@b:[redacted]".to_string()
        );
    }

    #[test]
    fn names_are_unique_and_missing_ones_are_listed() {
        let mut accounts = Accounts::new();
        accounts
            .add(account("romeo", "romeo@localhost", "a").expect("valid"))
            .expect("added");
        let again = accounts.add(account("romeo", "r@localhost", "b").expect("valid"));
        assert_eq!(again, Err(AccountError::Duplicate("romeo".into())));
        let wanted = vec!["romeo".to_string(), "nurse".to_string()];
        assert_eq!(accounts.missing(&wanted), vec!["nurse"]);
    }

    #[test]
    fn an_accounts_file_has_one_table_per_account() {
        let dir = tempfile::tempdir().expect("temporary folder");
        let path = dir.path().join("accounts.toml");
        std::fs::write(
            &path,
            "[romeo]\njid = \"romeo@localhost\"\npassword = \"a\"\n\
             [nurse]\njid = \"nurse@localhost\"\npassword = \"b\"\n",
        )
        .expect("write");
        let accounts = load_file(&path).expect("valid file");
        let names: Vec<&str> = accounts.iter().map(|a| a.name.as_str()).collect();
        assert_eq!(names, ["nurse", "romeo"]);
        std::fs::write(&path, "[romeo]\njid = \"romeo@localhost\"\n").expect("write");
        let e = load_file(&path).expect_err("no password");
        assert!(matches!(e, AccountError::File { .. }), "{e}");
    }
}
