"""A client that reconnects on its own, as aioxmpp and poezio do.

Used by tests/client_mode.rs: it opens a stream to 127.0.0.1:PORT, reads
until the server closes the stream (its closing tag or the connection),
then connects again at once, at most 5 times and for at most 20 s. Every
wait is bounded.
"""

import socket
import sys
import time

HEADER = (
    b"<?xml version='1.0'?><stream:stream to='localhost' version='1.0' "
    b"xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>"
)
CLOSE = b"</stream:stream>"


def session(port):
    with socket.create_connection(("127.0.0.1", port), timeout=3) as s:
        s.settimeout(5)
        s.sendall(HEADER)
        received = b""
        while CLOSE not in received:
            chunk = s.recv(4096)
            if not chunk:
                print("the server cut the connection", flush=True)
                return
            received += chunk
        print("the server closed the stream with </stream:stream>", flush=True)
        s.sendall(CLOSE)


def main():
    port = int(sys.argv[1])
    deadline = time.monotonic() + 20
    for _ in range(5):
        if time.monotonic() > deadline:
            break
        try:
            session(port)
        except OSError as e:
            print(f"connection failed: {e}", flush=True)
            time.sleep(0.1)


main()
