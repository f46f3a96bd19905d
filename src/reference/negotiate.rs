//! Stream negotiation, RFC 6120's order: the header and the features
//! (§4.3), STARTTLS (§5), SASL (§6) and resource binding (§7), as the
//! [`Session`] meets each. What is offered depends on the phase, and each
//! request is checked against what was offered.

use std::sync::Arc;

use crate::xml::{Element, NS_TLS, StreamHeader};

use super::bind;
use super::config::Rule;
use super::error::{StreamCondition, StreamFault};
use super::sasl::{Negotiation, Outcome};
use super::session::{Bound, End, Flow, Phase, Session};
use super::stream::{self, CLOSE, Offer};

impl Session {
    /// The client's header: the server's own in answer, always, even when
    /// an error follows (§4.9.1.2), then the features or that error.
    pub(super) async fn on_header(&mut self, header: &StreamHeader) -> Flow {
        let shared = Arc::clone(&self.shared);
        let faults = &shared.faults;
        // RFC 6120 §11.5: standalone='no' means nothing here and is
        // ignored; the fault hangs up on it, without a stream error.
        let standalone = header
            .xml_decl
            .as_ref()
            .is_some_and(|d| d.standalone.is_some());
        if standalone && faults.breaks(Rule::Standalone) {
            return Flow::End(End::Drop);
        }
        let mut check = stream::check_header(header, &shared.domain, faults);
        // §5.4.3.3: what the client said in clear text is forgotten once
        // TLS is up; the fault answers the clear-text 'from' again.
        if !self.link.is_tls() {
            self.clear_text_from = check.reply_to.clone();
        } else if check.reply_to.is_none() && faults.breaks(Rule::ClearTextForgotten) {
            check.reply_to = self.clear_text_from.clone();
        }
        // §4.9.1.3: before host-unknown the header names one of our own
        // domains; the fault names the unknown host the client asked for.
        let from = match header.element.attr("to") {
            Some(to)
                if faults.breaks(Rule::HostUnknownFrom)
                    && matches!(&check.verdict, Err(f) if f.condition == StreamCondition::HostUnknown) =>
            {
                to.to_owned()
            }
            _ => shared.domain.clone(),
        };
        let text = stream::response_header(
            &from,
            &stream::stream_id(header, faults),
            check.reply_to.as_deref(),
            check.version.as_deref(),
            faults,
        );
        if let Flow::End(end) = self.send(&text).await {
            return Flow::End(end);
        }
        self.header_sent = true;
        if let Err(fault) = check.verdict {
            return self.fail(fault).await;
        }
        let features = stream::features(&self.offer());
        self.send(&features).await
    }

    /// What the features of a new stream offer, by phase (RFC 6120 §4.3.2).
    pub(super) fn offer(&self) -> Offer {
        let faults = &self.shared.faults;
        let tls = self.link.is_tls();
        match &self.phase {
            Phase::Unauthenticated(negotiation) => Offer {
                starttls: if self.link.is_bosh() {
                    false
                } else if self.link.is_websocket() {
                    faults.breaks(Rule::WebSocketNoStartTls)
                } else if tls {
                    faults.breaks(Rule::NoStartTlsAfterTls)
                } else {
                    !faults.breaks(Rule::OfferStartTls)
                },
                // §5.4.1: this server does not require TLS (SCRAM is
                // offered in clear text), so <starttls/> has no
                // <required/>; the fault withholds SASL until TLS, which
                // makes TLS mandatory, and still does not say so.
                mechanisms: if !tls && faults.breaks(Rule::RequiredAdvertised) {
                    Vec::new()
                } else {
                    negotiation.offered().to_vec()
                },
                // §7.4: binding comes after SASL; the fault offers it early.
                bind: faults.breaks(Rule::BindAfterAuth),
            },
            Phase::Authenticated { .. } => Offer {
                bind: true,
                ..Offer::default()
            },
            Phase::Bound(_) => Offer::default(),
        }
    }

    /// `<starttls/>` (RFC 6120 §5.4.2): `<proceed/>` and the handshake on
    /// a plain unauthenticated stream; anywhere else it was not offered,
    /// so `<failure/>` and the close (§5.4.2.2).
    pub(super) async fn starttls(&mut self) -> Flow {
        let allowed = matches!(self.phase, Phase::Unauthenticated(_)) && self.offer().starttls;
        if !allowed || self.link.is_tls() {
            let text = format!("<failure xmlns='{NS_TLS}'/>{CLOSE}");
            return match self.send(&text).await {
                Flow::Go => Flow::End(End::Close),
                end => end,
            };
        }
        if let Flow::End(end) = self.send(&format!("<proceed xmlns='{NS_TLS}'/>")).await {
            return Flow::End(end);
        }
        if self.shared.faults.breaks(Rule::TlsAfterProceed) {
            // The fault: more XML in clear text where the TLS handshake
            // must begin; then the handshake as usual, which a client
            // that gave up on the stream never starts.
            let text = format!("<stream:features><starttls xmlns='{NS_TLS}'/></stream:features>");
            if let Flow::End(end) = self.send(&text).await {
                return Flow::End(end);
            }
        }
        // §5.4.2.3: TLS starts right after <proceed/>, and the client sends
        // nothing but its handshake. Bytes it sent with <starttls/>,
        // already read and parsed as XML, are where its ClientHello had to
        // be: the handshake fails on them (§5.4.3.2) now, as it does when
        // they come in a later read, rather than after the handshake
        // timeout while the client waits for an answer.
        if self.link.has_unread() && !self.shared.faults.breaks(Rule::StartTlsPipelined) {
            return Flow::End(End::Drop);
        }
        // The fault: what came with <starttls/> is kept, to be acted on
        // once TLS is up, as if the client had sent it inside TLS.
        while self.link.has_unread() {
            let wait = std::time::Duration::from_millis(100);
            match tokio::time::timeout(wait, self.link.next()).await {
                Ok(super::link::Input::Event(event)) => self.pipelined.push_back(event),
                _ => return Flow::End(End::Drop),
            }
        }
        let limit = self.shared.limits.tls_handshake_timeout;
        if self
            .link
            .start_tls(Arc::clone(&self.shared.tls), limit)
            .await
            .is_err()
        {
            // Not a ClientHello, or too slow: rustls has sent its alert,
            // and the connection is gone (RFC 6120 §5.4.3.2).
            return Flow::End(End::Drop);
        }
        // SASL starts over on the new stream, with what TLS allows.
        self.header_sent = false;
        self.phase = Phase::Unauthenticated(Negotiation::for_stream(
            &self.shared,
            true,
            self.link.peer_certificate().as_deref(),
        ));
        Flow::Go
    }

    pub(super) async fn sasl(&mut self, element: &Element) -> Flow {
        let Phase::Unauthenticated(negotiation) = &mut self.phase else {
            let text = "already authenticated (RFC 6120 §6.4.6)";
            return self
                .fail(StreamFault::new(StreamCondition::PolicyViolation, text))
                .await;
        };
        match negotiation.handle(element) {
            Outcome::Reply(reply) => self.send(&reply).await,
            Outcome::GiveUp(reply) => {
                if let Flow::End(end) = self.send(&reply).await {
                    return Flow::End(end);
                }
                let text = "too many failed authentication attempts (RFC 6120 §6.4.5)";
                self.fail(StreamFault::new(StreamCondition::PolicyViolation, text))
                    .await
            }
            Outcome::Success { reply, authcid } => {
                let flow = self.send(&reply).await;
                // §6.4.6: the stream restarts the moment <success/> is out.
                self.link.restart();
                self.header_sent = false;
                self.phase = Phase::Authenticated { local: authcid };
                flow
            }
        }
    }

    pub(super) async fn bind(&mut self, iq: &Element) -> Flow {
        let Phase::Authenticated { local } = &self.phase else {
            return Flow::Go;
        };
        let local = local.clone();
        let resource = match bind::parse(iq, &self.shared.faults) {
            Ok(bind::Request::ServerChooses) => None,
            Ok(bind::Request::Resource(r)) => Some(r),
            Err(condition) => {
                let reply = crate::xml::writer::to_xml(&bind::error(iq, condition));
                if let Flow::End(end) = self.send(&reply).await {
                    return Flow::End(end);
                }
                // §7.7.3: a few retries, then policy-violation; the fault
                // closes the stream with another condition.
                self.bind_failures += 1;
                if self.bind_failures < bind::MAX_FAILURES {
                    return Flow::Go;
                }
                let condition = if self.shared.faults.breaks(Rule::BindRetries) {
                    StreamCondition::NotAuthorized
                } else {
                    StreamCondition::PolicyViolation
                };
                let text = "too many failed resource binding attempts (RFC 6120 §7.7.3)";
                return self.fail(StreamFault::new(condition, text)).await;
            }
        };
        let shared = Arc::clone(&self.shared);
        let bound = shared.router.bind(
            self.id,
            &local,
            resource.as_deref(),
            shared.limits.queue_len,
        );
        // §7.6.1: the result carries the full JID bound, the account's at
        // this domain; the fault names another domain.
        let domain = if shared.faults.breaks(Rule::BindJid) {
            OTHER_DOMAIN
        } else {
            shared.domain.as_str()
        };
        let jid = format!("{local}@{domain}/{}", bound.resource);
        self.phase = Phase::Bound(Bound {
            local,
            resource: bound.resource,
            inbox: bound.inbox,
            kicked: Some(bound.kicked),
            _registration: bound.registration,
        });
        let flow = self
            .send(&crate::xml::writer::to_xml(&bind::result(iq, &jid)))
            .await;
        // §4.3.5: negotiation is complete now, and no further features
        // follow; the fault offers one anyway.
        if matches!(flow, Flow::Go) && self.shared.faults.breaks(Rule::FeaturesAfterNegotiation) {
            let late =
                "<stream:features><ver xmlns='urn:xmpp:features:rosterver'/></stream:features>";
            return self.send(late).await;
        }
        flow
    }
}

/// The domain the `bind-jid` fault puts in bound JIDs.
const OTHER_DOMAIN: &str = "elsewhere.example";
