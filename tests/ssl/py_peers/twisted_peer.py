# Python Twisted's TLS (TLSMemoryBIOProtocol over pyOpenSSL) as a peer.
#   twisted_peer.py server CERT KEY      -> prints PORT n, echoes, exits after one connection
#   twisted_peer.py client PORT CAFILE   -> sends a line, prints the echo and the close reason
import sys
from twisted.internet import reactor, ssl, protocol
from twisted.internet.endpoints import wrapClientTLS, TCP4ClientEndpoint


class Echo(protocol.Protocol):
    def dataReceived(self, data):
        self.transport.write(data)

    def connectionLost(self, reason):
        print("server lost:", reason.type.__name__, flush=True)
        reactor.callLater(0, reactor.stop)


class Client(protocol.Protocol):
    got = b""

    def connectionMade(self):
        self.transport.write(b"hello from twisted\n")

    def dataReceived(self, data):
        self.got += data
        if self.got.endswith(b"\n"):
            print("echo", self.got.decode().strip(), flush=True)
            print("alpn", self.transport.negotiatedProtocol, flush=True)
            self.transport.loseConnection()

    def connectionLost(self, reason):
        print("client lost:", reason.type.__name__, flush=True)
        reactor.callLater(0, reactor.stop)


if sys.argv[1] == "server":
    cert = ssl.PrivateCertificate.loadPEM(open(sys.argv[2]).read() + open(sys.argv[3]).read())
    port = reactor.listenSSL(0, protocol.Factory.forProtocol(Echo), cert.options(), interface="127.0.0.1")
    print("PORT", port.getHost().port, flush=True)
else:
    ca = ssl.Certificate.loadPEM(open(sys.argv[3]).read())
    options = ssl.optionsForClientTLS("localhost", trustRoot=ca, acceptableProtocols=[b"h2", b"http/1.1"])
    endpoint = wrapClientTLS(options, TCP4ClientEndpoint(reactor, "127.0.0.1", int(sys.argv[2])))
    d = endpoint.connect(protocol.Factory.forProtocol(Client))
    d.addErrback(lambda f: (print("connect failed:", f.getErrorMessage(), flush=True), reactor.stop()))
reactor.callLater(20, reactor.stop)
reactor.run()
