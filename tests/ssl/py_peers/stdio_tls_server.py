# A TLS server over this process's stdin/stdout (Python's ssl.MemoryBIO):
# each line the client sends comes back reversed; on the line "quit" it
# sends close_notify, waits for the client's, and exits 0.
import os
import ssl
import sys

ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(sys.argv[1], sys.argv[2])
incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
tls = ctx.wrap_bio(incoming, outgoing, server_side=True)
handshaken = False
closing = False
buffered = b""


def flush():
    data = outgoing.read()
    while data:
        n = os.write(1, data)
        data = data[n:]


while True:
    data = os.read(0, 65536)
    if not data:
        sys.exit(3)  # the client went away without answering
    incoming.write(data)
    try:
        if closing:
            tls.unwrap()
            flush()
            sys.exit(0)  # both close_notify alerts are through
        if not handshaken:
            tls.do_handshake()
            handshaken = True
        while True:
            buffered += tls.read(65536)
            while b"\n" in buffered:
                line, buffered = buffered.split(b"\n", 1)
                tls.write(line[::-1] + b"\n")
                if line == b"quit":
                    closing = True
                    tls.unwrap()
    except ssl.SSLWantReadError:
        pass
    flush()
