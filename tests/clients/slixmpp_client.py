"""The slixmpp client tests/clients.rs runs against the client scenarios.

Usage: slixmpp_client.py JID PASSWORD PORT CA

Connects to 127.0.0.1:PORT only (never a DNS lookup: the address is
given), trusts CA for the server's certificate, sends one message to
itself once the session is up, and disconnects. Every wait is bounded:
the whole run gives up after 20 s, and slixmpp is told not to reconnect.
"""

import asyncio
import sys

from slixmpp import ClientXMPP

LIMIT = 20


async def run(jid, password, port, ca):
    xmpp = ClientXMPP(jid, password)
    xmpp.ca_certs = ca
    done = asyncio.get_running_loop().create_future()

    def finish(why):
        if not done.done():
            done.set_result(why)

    async def started(_event):
        xmpp.send_message(mto=jid, mbody="hello from slixmpp", mtype="chat")
        xmpp.disconnect(wait=2.0)

    xmpp.add_event_handler("session_start", started)
    xmpp.add_event_handler("failed_auth", lambda _e: finish("authentication failed"))
    xmpp.add_event_handler("disconnected", lambda _e: finish("disconnected"))
    xmpp.add_event_handler("connection_failed", lambda e: finish(f"connection failed: {e}"))
    xmpp.connect(address=("127.0.0.1", port))
    try:
        why = await asyncio.wait_for(done, LIMIT)
    except asyncio.TimeoutError:
        why = f"no end after {LIMIT} s"
    print(f"slixmpp: {why}", flush=True)
    xmpp.abort()


def main():
    jid, password, port, ca = sys.argv[1:5]
    asyncio.run(run(jid, password, int(port), ca))


main()
