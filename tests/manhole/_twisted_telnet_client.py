"""Log in to a Telnet server with Twisted's own conch.telnet client (not Skein code).

Usage: /usr/bin/python3 _twisted_telnet_client.py HOST PORT PASSWORD LINE...

The client accepts the server's ECHO and SGA, offers its window size (NAWS,
77x20) when asked, logs in with PASSWORD, sends each LINE after a prompt (and
after any Deferred shown has fired), then ^D. Prints one JSON object: the option states as Twisted's Q method left them
("us"/"him" per option), everything received (decoded), and whether the server
closed the connection.
"""
import json
import struct
import sys

from twisted.conch.telnet import ECHO, NAWS, SGA, TelnetProtocol, TelnetTransport
from twisted.internet import protocol, reactor

host, port, password, lines = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4:]
report = {"received": "", "closed": False, "options": {}}


class Client(TelnetProtocol):
    def __init__(self):
        self.pending = [password] + lines
        self.buffer = ""

    def enableRemote(self, option):
        return option in (ECHO, SGA)

    def enableLocal(self, option):
        if option == NAWS:
            # The WILL goes out once this returns; the size follows it.
            reactor.callLater(0, self.transport.requestNegotiation, NAWS, struct.pack("!HH", 77, 20))
            return True
        return option == SGA

    def dataReceived(self, data):
        text = data.decode("utf-8", "replace")
        report["received"] += text
        self.buffer += text
        received = report["received"]
        # Each Deferred shown is waited for until it fires, as a person would.
        waiting = received.count("<Deferred #") > received.count(" called back: ") + received.count(" failed: ")
        if not waiting and ("Password: " in self.buffer or self.buffer.endswith(">>> \x1b[K")):
            self.buffer = ""
            if self.pending:
                self.transport.write((self.pending.pop(0) + "\r\n").encode("utf-8"))
            else:
                self.transport.write(b"\x04")

    def connectionLost(self, reason):
        report["closed"] = True
        for name, option in (("ECHO", ECHO), ("SGA", SGA), ("NAWS", NAWS)):
            state = self.transport.getOptionState(option)
            report["options"][name] = {"us": state.us.state, "him": state.him.state}
        reactor.stop()


factory = protocol.ClientFactory()
factory.protocol = lambda: TelnetTransport(Client)
reactor.connectTCP(host, port, factory)
reactor.callLater(20, reactor.stop)
reactor.run()
print(json.dumps(report))
