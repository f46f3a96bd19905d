"""The aioxmpp client tests/clients.rs runs against the client scenarios.

Usage: aioxmpp_client.py JID PASSWORD PORT CA

Connects to 127.0.0.1:PORT only (override_peer: no DNS lookup), with
STARTTLS and CA as the only trusted root, sends one message to itself
once the stream is established, stays 0.3 s (as a session doing anything
more would; aioxmpp handles stanzas that came with the session's start,
such as an iq request, only after the task that opened it yields), and
stops. Every wait is bounded: the
whole run gives up after 20 s. aioxmpp reconnects on its own when a
connection fails; the harness gives each scenario its own port, so those
attempts reach nobody.
"""

import asyncio
import sys

import aioxmpp
import aioxmpp.connector
import aioxmpp.security_layer

LIMIT = 20


def security(password, ca):
    def context():
        ctx = aioxmpp.security_layer.default_ssl_context()
        ctx.load_verify_locations(ca)
        return ctx

    return aioxmpp.make_security_layer(password, ssl_context_factory=context)


async def run(jid, password, port, ca):
    client = aioxmpp.Client(
        aioxmpp.JID.fromstr(jid),
        security(password, ca),
        override_peer=[("127.0.0.1", port, aioxmpp.connector.STARTTLSConnector())],
        max_initial_attempts=1,
    )
    async with client.connected():
        msg = aioxmpp.Message(to=aioxmpp.JID.fromstr(jid), type_=aioxmpp.MessageType.CHAT)
        msg.body[None] = "hello from aioxmpp"
        await client.send(msg)
        await asyncio.sleep(0.3)
    print("aioxmpp: sent and stopped", flush=True)


def main():
    jid, password, port, ca = sys.argv[1:5]
    try:
        asyncio.run(asyncio.wait_for(run(jid, password, int(port), ca), LIMIT))
    except Exception as e:  # the harness reads the reason in the transcript
        print(f"aioxmpp: {type(e).__name__}: {e}", flush=True)
        sys.exit(1)


main()
