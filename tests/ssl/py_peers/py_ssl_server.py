# Python's ssl module as a TLS server for one connection: prints its port,
# echoes what it reads reversed line by line until close_notify, then exits.
import socket, ssl, sys

cert, key = sys.argv[1], sys.argv[2]
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(cert, key)
ctx.set_alpn_protocols(["h2", "http/1.1"])
with socket.create_server(("127.0.0.1", 0)) as srv:
    print("PORT", srv.getsockname()[1], flush=True)
    conn, _ = srv.accept()
    with ctx.wrap_socket(conn, server_side=True) as tls:
        buf = b""
        while True:
            chunk = tls.recv(4096)
            if not chunk:
                break
            buf += chunk
            while b"\n" in buf:
                line, buf = buf.split(b"\n", 1)
                tls.sendall(line[::-1] + b"\n")
        print("peer closed cleanly", flush=True)
        tls.unwrap()
