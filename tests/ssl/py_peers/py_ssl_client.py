# Python's ssl module as a TLS client: connect, verify against the CA, send a
# line, read the echo, close with close_notify (unwrap), print what came back.
import socket, ssl, sys

host, port, cafile = sys.argv[1], int(sys.argv[2]), sys.argv[3]
ctx = ssl.create_default_context(cafile=cafile)
ctx.set_alpn_protocols(["http/1.1"])
with socket.create_connection((host, port), timeout=10) as raw:
    with ctx.wrap_socket(raw, server_hostname="localhost") as tls:
        tls.sendall(b"hello from python\n")
        got = b""
        while not got.endswith(b"\n"):
            chunk = tls.recv(4096)
            if not chunk:
                break
            got += chunk
        print("version", tls.version(), "alpn", tls.selected_alpn_protocol())
        print("echo", got.decode().strip())
        tls.unwrap()
print("closed cleanly")
