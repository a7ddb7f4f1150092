# The Python Twisted peer of bench/tls_bench.ts: a TLS server and client in
# one process over loopback (Twisted 22 TLSMemoryBIOProtocol over pyOpenSSL),
# measuring bulk throughput (BYTES in CHUNK-byte writes through a push
# producer) and sequential handshakes (N connect/handshake/close), by CPU
# time of this process (time.process_time) and wall time. Prints one JSON line.
#   tls_bench_twisted.py CERT KEY CA BYTES CHUNK N
import json
import sys
import time

from twisted.internet import protocol, reactor, ssl
from zope.interface import implementer
from twisted.internet.interfaces import IHandshakeListener, IPushProducer

cert_path, key_path, ca_path = sys.argv[1:4]
total, chunk_size, handshakes = int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6])
server_cert = ssl.PrivateCertificate.loadPEM(open(cert_path).read() + open(key_path).read())
ca = ssl.Certificate.loadPEM(open(ca_path).read())
client_options = ssl.optionsForClientTLS("localhost", trustRoot=ca)
results = {}


class Sink(protocol.Protocol):
    def connectionMade(self):
        self.count = 0

    def dataReceived(self, data):
        self.count += len(data)
        if self.count >= self.factory.expected:
            self.transport.loseConnection()
            self.factory.done()


@implementer(IPushProducer)
class Pusher(protocol.Protocol):
    chunk = b"x" * chunk_size

    def connectionMade(self):
        self.sent = 0
        self.paused = False
        self.transport.registerProducer(self, True)
        self.resumeProducing()

    def pauseProducing(self):
        self.paused = True

    def resumeProducing(self):
        self.paused = False
        while not self.paused and self.sent < total:
            self.transport.write(self.chunk)
            self.sent += len(self.chunk)
        if self.sent >= total:
            self.transport.unregisterProducer()

    def stopProducing(self):
        pass


@implementer(IHandshakeListener)
class Hangup(protocol.Protocol):
    def handshakeCompleted(self):
        self.transport.loseConnection()

    def connectionLost(self, reason):
        self.factory.next()


def bulk(port):
    def done():
        results["bulk"] = {
            "cpu": time.process_time() - start_cpu,
            "wall": time.perf_counter() - start_wall,
            "bytes": total,
        }
        reactor.callLater(0, handshake_phase, port)

    server_factory.expected = total
    server_factory.done = done
    start_cpu = time.process_time()
    start_wall = time.perf_counter()
    reactor.connectSSL("127.0.0.1", port.getHost().port, protocol.ClientFactory.forProtocol(Pusher), client_options)


def handshake_phase(port):
    state = {"left": handshakes}
    start_cpu = time.process_time()
    start_wall = time.perf_counter()
    factory = protocol.ClientFactory.forProtocol(Hangup)

    def next_one():
        if state["left"] == 0:
            results["handshakes"] = {
                "cpu": time.process_time() - start_cpu,
                "wall": time.perf_counter() - start_wall,
                "n": handshakes,
            }
            reactor.stop()
            return
        state["left"] -= 1
        reactor.connectSSL("127.0.0.1", port.getHost().port, factory, client_options)

    factory.next = next_one
    server_factory.expected = float("inf")
    next_one()


server_factory = protocol.Factory.forProtocol(Sink)
listening = reactor.listenSSL(0, server_factory, server_cert.options(), interface="127.0.0.1")
reactor.callWhenRunning(bulk, listening)
reactor.run()
print(json.dumps(results), flush=True)
