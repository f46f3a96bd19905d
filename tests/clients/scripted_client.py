"""A small scripted XMPP client with one chosen fault, for tests/client_rules.rs.

Usage: scripted_client.py JID PASSWORD PORT CA FAULT

No real client breaks the client rules on demand, so this one does: it
speaks just enough XMPP (STARTTLS with CA as the only trusted root, SASL
PLAIN, resource binding, one message to itself, the closing handshake)
and, with FAULT other than "none", breaks exactly one rule:

  no-verify           accepts any server certificate (RFC 6120 §13.7.2)
  no-name-check       checks the certificate's chain but not its name (§13.9.5)
  xml-after-proceed   sends a stanza in clear text after <proceed/> (§5.4.2.3)
  first-mechanism     tries the server's first mechanism, known or not (§6.3.3)
  plain-in-clear      uses PLAIN on a stream without TLS (§13.8.3)
  authzid             sends its own bare JID as PLAIN authzid (§6.3.8)
  authzid-full        sends a full JID as PLAIN authzid (§6.3.8)
  stanza-before-bind  sends a message before binding a resource (§4.3.5)
  no-to               sends its message without 'to' (§8.1.1.1)
  guess-jid           stamps its message with the resource it asked for,
                      not the one the server bound (§4.3.6)
  success-data-only   takes SCRAM's server-final only as data of <success/>,
                      giving up on a last challenge (§6.3.10)
  challenge-only      takes SCRAM's server-final only in a last challenge,
                      giving up on data with <success/> (§6.3.10)
  remember-features   chooses its mechanism from the first mechanisms it was
                      offered, in clear text before TLS (§5.4.3.3)

Without a fault it knows SCRAM-SHA-1, which it prefers, and PLAIN, which
it uses over TLS alone, and gives up (closing its stream) when offered
nothing it may use. Every read
is bounded: the whole run gives up after 20 s.
"""

import base64
import hashlib
import hmac
import os
import re
import socket
import ssl
import sys
import time

LIMIT = 20
HEADER = (
    "<?xml version='1.0'?><stream:stream to='{domain}' version='1.0' "
    "xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>"
)


class Client:
    def __init__(self, jid, password, port, ca, fault):
        self.jid, self.password, self.ca, self.fault = jid, password, ca, fault
        self.user, self.domain = jid.split("@", 1)
        self.deadline = time.monotonic() + LIMIT
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        self.buf = ""
        self.tls = False

    def send(self, text):
        self.sock.sendall(text.encode())

    def read_until(self, pattern):
        """The buffer up to the end of the first match of pattern; None on
        a close, an error or the deadline."""
        while True:
            m = re.search(pattern, self.buf, re.S)
            if m:
                got, self.buf = self.buf[: m.end()], self.buf[m.end():]
                return got
            left = self.deadline - time.monotonic()
            if left <= 0:
                return None
            self.sock.settimeout(left)
            try:
                data = self.sock.recv(4096)
            except (OSError, ssl.SSLError):
                return None
            if not data:
                return None
            self.buf += data.decode(errors="replace")

    def open(self):
        self.send(HEADER.format(domain=self.domain))
        return self.read_until(r"</stream:features>")

    def give_up(self):
        self.send("</stream:stream>")
        self.read_until(r"</stream:stream>")

    def starttls(self):
        self.send("<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>")
        if self.read_until(r"<proceed[^>]*>") is None:
            return False
        if self.fault == "xml-after-proceed":
            self.send("<presence/>")
            self.read_until(r"$^")
            return False
        context = ssl.create_default_context(cafile=self.ca)
        if self.fault == "no-verify":
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
        elif self.fault == "no-name-check":
            context.check_hostname = False
        try:
            self.sock = context.wrap_socket(self.sock, server_hostname=self.domain)
        except (OSError, ssl.SSLError) as e:
            print(f"scripted client: TLS refused: {e}", flush=True)
            return False
        self.buf, self.tls = "", True
        return True

    def authenticate(self, features):
        if self.fault == "remember-features":
            features = self.first_features or features
        offered = re.findall(r"<mechanism>([^<]*)</mechanism>", features)
        if self.fault == "first-mechanism" and offered:
            choice = offered[0]
        elif "SCRAM-SHA-1" in offered and self.tls:
            return self.scram()
        elif "PLAIN" in offered and (self.tls or self.fault == "plain-in-clear"):
            choice = "PLAIN"
        else:
            self.give_up()
            return False
        authzid = {"authzid": self.jid, "authzid-full": self.jid + "/elsewhere"}.get(
            self.fault, ""
        )
        message = f"{authzid}\0{self.user}\0{self.password}".encode()
        data = base64.b64encode(message).decode() if choice == "PLAIN" else "="
        self.send(
            f"<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='{choice}'>{data}</auth>"
        )
        answer = self.read_until(r"<(success|failure)[^>]*?(/>|>.*?</\1>)")
        return answer is not None and "<success" in answer

    def sasl_element(self):
        """The next <challenge/>, <success/> or <failure/>: (name, data)."""
        got = self.read_until(r"<(challenge|success|failure)\b[^>]*?(/>|>.*?</\1>)")
        if got is None:
            return None, b""
        m = re.search(r"<(challenge|success|failure)\b[^>]*?(?:/>|>(.*?)</\1>)", got, re.S)
        text = (m.group(2) or "").strip()
        data = b"" if text in ("", "=") or m.group(1) == "failure" else base64.b64decode(text)
        return m.group(1), data

    def scram(self):
        """SCRAM-SHA-1 (RFC 5802), checking the server signature."""
        nonce = base64.b64encode(os.urandom(18)).decode()
        first_bare = f"n={self.user},r={nonce}"
        self.send(
            "<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='SCRAM-SHA-1'>"
            + base64.b64encode(("n,," + first_bare).encode()).decode()
            + "</auth>"
        )
        name, server_first = self.sasl_element()
        if name != "challenge":
            return False
        fields = dict(f.split("=", 1) for f in server_first.decode().split(","))
        salted = hashlib.pbkdf2_hmac(
            "sha1", self.password.encode(), base64.b64decode(fields["s"]), int(fields["i"])
        )
        mac = lambda key, msg: hmac.new(key, msg.encode(), hashlib.sha1).digest()
        client_key = mac(salted, "Client Key")
        final_bare = "c=biws,r=" + fields["r"]
        auth_message = f"{first_bare},{server_first.decode()},{final_bare}"
        signature = mac(hashlib.sha1(client_key).digest(), auth_message)
        proof = bytes(a ^ b for a, b in zip(client_key, signature))
        final = final_bare + ",p=" + base64.b64encode(proof).decode()
        self.send(
            "<response xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>"
            + base64.b64encode(final.encode()).decode()
            + "</response>"
        )
        expected = b"v=" + base64.b64encode(mac(mac(salted, "Server Key"), auth_message))
        name, data = self.sasl_element()
        if name == "challenge":
            if self.fault == "success-data-only" or data != expected:
                self.give_up()
                return False
            self.send("<response xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>")
            name, data = self.sasl_element()
            return name == "success" and not data
        if name == "success":
            if self.fault == "challenge-only" or data != expected:
                self.give_up()
                return False
            return True
        return False

    def bind_and_send(self):
        if self.fault == "stanza-before-bind":
            self.send(f"<message to='{self.jid}'><body>too early</body></message>")
        self.send(
            "<iq type='set' id='bind-1'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'>"
            "<resource>scripted</resource></bind></iq>"
        )
        result = self.read_until(r"</iq>")
        m = re.search(r"<jid>([^<]*)</jid>", result or "")
        if not m:
            return
        bound = m.group(1)
        to = "" if self.fault == "no-to" else f" to='{self.jid}'"
        sender = f" from='{self.jid}/scripted'" if self.fault == "guess-jid" else ""
        self.send(
            f"<message{to}{sender} type='chat'><body>hello from {bound}</body></message>"
        )
        self.give_up()

    def run(self):
        features = self.open()
        self.first_features = features if features and "<mechanisms" in features else None
        while features is not None:
            plain_first = self.fault == "plain-in-clear" and "<mechanisms" in features
            if "<starttls" in features and not self.tls and not plain_first:
                if not self.starttls():
                    return
                features = self.open()
            elif "<mechanisms" in features:
                if not self.authenticate(features):
                    return
                features = self.open()
            elif "<bind" in features:
                self.bind_and_send()
                return
            else:
                self.give_up()
                return


def main():
    jid, password, port, ca, fault = sys.argv[1:6]
    client = Client(jid, password, int(port), ca, fault)
    try:
        client.run()
    finally:
        client.sock.close()


main()
