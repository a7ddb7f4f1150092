import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseDescription } from "../../endpoints/_parse.ts";
import { EndpointDescriptionError } from "../../endpoints/errors.ts";
import {
  clientFromString,
  quoteStringArgument,
  serverFromString,
} from "../../endpoints/from_string.ts";
import {
  TCP4ClientEndpoint,
  TCP4ServerEndpoint,
  TCP6ClientEndpoint,
  TCP6ServerEndpoint,
} from "../../endpoints/tcp.ts";
import { UNIXClientEndpoint, UNIXServerEndpoint } from "../../endpoints/unix.ts";
import { Factory } from "../../protocols/factory.ts";
import { Protocol } from "../../protocols/protocol.ts";
import { MemoryReactor } from "../../testing/memory_reactor.ts";

const parsed = (d: string): [string[], Record<string, string>] => {
  const { args, kw } = parseDescription(d);
  return [args, Object.fromEntries(kw)];
};

describe("endpoint description grammar (Twisted's _tokenize/_parse)", () => {
  it("splits on ':' into positionals and keywords", () => {
    assert.deepEqual(parsed("a:b:d=1:c"), [["a", "b", "c"], { d: "1" }]);
  });

  it("only the first '=' separates key and value (Twisted [R]: interface=a=b)", () => {
    assert.deepEqual(parsed("tcp:80:interface=a=b"), [["tcp", "80"], { interface: "a=b" }]);
  });

  it("a backslash makes the next character literal (Twisted [R]: unix:C\\:/foo)", () => {
    assert.deepEqual(parsed("unix:C\\:/foo"), [["unix", "C:/foo"], {}]);
    assert.deepEqual(parsed("x:a\\=b:k=v\\:w\\\\"), [["x", "a=b"], { k: "v:w\\" }]);
  });

  it("empty segments are empty positionals (Twisted [R]: x::y)", () => {
    assert.deepEqual(parsed("x::y"), [["x", "", "y"], {}]);
    assert.deepEqual(parsed(""), [[""], {}]);
  });

  it("rejects a trailing lone backslash and repeated keywords", () => {
    assert.throws(() => parseDescription("unix:/tmp\\"), EndpointDescriptionError);
    assert.throws(() => parseDescription("tcp:80:backlog=1:backlog=2"), /given twice/);
  });

  it("quoteStringArgument escapes backslashes and colons (Twisted [R])", () => {
    assert.equal(quoteStringArgument("C:\\x:y"), "C\\:\\\\x\\:y");
    for (const s of ["plain", "a:b", "\\\\", "x=y", "::1", "é:\\:"]) {
      // As in Twisted, "=" is not escaped: quoted values are safe after "key=".
      assert.deepEqual(parsed(`unix:path=${quoteStringArgument(s)}`)[1], { path: s });
    }
  });
});

describe("serverFromString (Twisted's serverFromString)", () => {
  const r = new MemoryReactor();

  it("tcp:PORT with Twisted's defaults (backlog 50, interface '')", () => {
    const ep = serverFromString(r, "tcp:80");
    assert.ok(ep instanceof TCP4ServerEndpoint && !(ep instanceof TCP6ServerEndpoint));
    assert.equal(ep.port, 80);
    assert.equal(ep.backlog, 50);
    assert.equal(ep.interface, "");
  });

  it("tcp keywords and positionals; listen goes to the reactor (Twisted [R])", () => {
    const reactor = new MemoryReactor();
    const f = Factory.forProtocol(Protocol);
    serverFromString(reactor, "tcp:1234:interface=127.0.0.1").listen(f);
    serverFromString(reactor, "tcp:1235:127.0.0.2:7").listen(f);
    serverFromString(reactor, "tcp:port=1236:backlog=3").listen(f);
    assert.deepEqual(reactor.tcpServers, [
      [1234, f, 50, "127.0.0.1"],
      [1235, f, 7, "127.0.0.2"],
      [1236, f, 3, ""],
    ]);
  });

  it("tcp6:PORT defaults to interface '::'; an escaped \\:\\:1 gives '::1' (Twisted [R])", () => {
    const ep = serverFromString(r, "tcp6:8080:interface=\\:\\:1");
    assert.ok(ep instanceof TCP6ServerEndpoint);
    assert.equal(ep.interface, "::1");
    const d = serverFromString(r, "tcp6:8080") as TCP6ServerEndpoint;
    assert.equal(d.interface, "::");
    assert.equal(d.backlog, 50);
    // tcp6's positional order is port, backlog, interface (Twisted's plugin).
    const p = serverFromString(r, "tcp6:81:9") as TCP6ServerEndpoint;
    assert.equal(p.backlog, 9);
    // The plugin prefix is case-insensitive.
    assert.ok(serverFromString(r, "TCP6:81") instanceof TCP6ServerEndpoint);
  });

  it("unix:PATH with mode (octal), backlog and lockfile (Twisted [R])", () => {
    const ep = serverFromString(r, "unix:/var/run/finger") as UNIXServerEndpoint;
    assert.ok(ep instanceof UNIXServerEndpoint);
    assert.equal(ep.address, "/var/run/finger");
    assert.equal(ep.mode, 0o666);
    assert.equal(ep.backlog, 50);
    assert.equal(ep.wantPID, true, "the string form defaults to lockfile=1");
    const m = serverFromString(r, "unix:/x:mode=660:lockfile=0:backlog=5") as UNIXServerEndpoint;
    assert.equal(m.mode, 0o660);
    assert.equal(m.wantPID, false);
    assert.equal(m.backlog, 5);
    assert.equal((serverFromString(r, "unix:C\\:/foo") as UNIXServerEndpoint).address, "C:/foo");
  });

  it("the tcp prefix is case-sensitive (Twisted [R]: TCP:80 is unknown)", () => {
    assert.throws(() => serverFromString(r, "TCP:80"), /Unknown endpoint type: 'TCP'/);
    assert.throws(() => serverFromString(r, "foo:80"), /Unknown endpoint type: 'foo'/);
  });

  const bad: Array<[string, RegExp]> = [
    ["tcp:http", /port must be a non-negative integer, got "http"; expected tcp:PORT/],
    ["tcp:70000", /port must be from 0 to 65535/],
    ["tcp:-1", /non-negative integer/],
    ["tcp", /missing port/],
    ["tcp:80:bogus=1", /unknown parameter 'bogus'/],
    ["tcp:80:port=81", /given both by position and by name/],
    ["tcp:80:a:1:extra", /too many positional parameters/],
    ["tcp:80:backlog=lots", /backlog must be a non-negative integer/],
    ["unix:/x:mode=999", /mode must be an octal number/],
    ["unix:", /empty path/],
    ["unix:/x:lockfile=yes", /lockfile must be/],
    [
      "ssl:443:privateKey=/nonexistent/k.pem",
      /cannot read the privateKey file "\/nonexistent\/k.pem"/,
    ],
  ];
  for (const [desc, re] of bad) {
    it(`rejects ${JSON.stringify(desc)} with a clear EndpointDescriptionError`, () => {
      assert.throws(() => serverFromString(r, desc), (e: unknown) => {
        assert.ok(e instanceof EndpointDescriptionError, String(e));
        assert.match(e.message, re);
        assert.equal(e.description, desc);
        return true;
      });
    });
  }
});

describe("clientFromString (Twisted's clientFromString)", () => {
  const r = new MemoryReactor();

  it("tcp host and port, positional or keyword, in any mix (Twisted [R])", () => {
    for (
      const d of [
        "tcp:host=www.example.com:port=80",
        "tcp:www.example.com:80",
        "tcp:host=www.example.com:80",
        "tcp:www.example.com:port=80",
        "TCP:www.example.com:80",
      ]
    ) {
      const ep = clientFromString(r, d);
      assert.ok(ep instanceof TCP4ClientEndpoint, d);
      assert.equal(ep.host, "www.example.com");
      assert.equal(ep.port, 80);
      assert.equal(ep.timeout, 30);
      assert.equal(ep.bindAddress, undefined);
    }
  });

  it("timeout and bindAddress (which becomes [ADDRESS, 0]) (Twisted [R])", () => {
    const ep = clientFromString(r, "tcp:www.example.com:80:timeout=5:bindAddress=10.0.0.1");
    assert.ok(ep instanceof TCP4ClientEndpoint);
    assert.equal(ep.timeout, 5);
    assert.deepEqual(ep.bindAddress, ["10.0.0.1", 0]);
  });

  it("connect goes to connectTCP with the parsed values", () => {
    const reactor = new MemoryReactor();
    const f = Factory.forProtocol(Protocol);
    clientFromString(reactor, "tcp:example.com:80:timeout=7:bindAddress=127.0.0.1").connect(f);
    const [host, port, , timeout, bind] = reactor.tcpClients[0];
    assert.deepEqual([host, port, timeout, bind], ["example.com", 80, 7, ["127.0.0.1", 0]]);
  });

  it("tcp6 with an escaped IPv6 host", () => {
    const ep = clientFromString(r, "tcp6:host=\\:\\:1:port=8080");
    assert.ok(ep instanceof TCP6ClientEndpoint);
    assert.equal(ep.host, "::1");
    assert.equal(ep.port, 8080);
  });

  it("unix: path positional or keyword, lockfile maps to checkPID, timeout (Twisted [R])", () => {
    const a = clientFromString(r, "unix:/var/foo/bar");
    assert.ok(a instanceof UNIXClientEndpoint);
    assert.equal(a.path, "/var/foo/bar");
    assert.equal(a.checkPID, false);
    assert.equal(a.timeout, 30);
    const b = clientFromString(r, "unix:path=/var/foo/bar:lockfile=1:timeout=9");
    assert.ok(b instanceof UNIXClientEndpoint);
    assert.equal(b.checkPID, true);
    assert.equal(b.timeout, 9);
  });

  const bad: Array<[string, RegExp]> = [
    ["tcp:www.example.com", /missing port/],
    ["tcp:port=80", /missing host/],
    ["tcp:h:80:timeout=0", /timeout must be a positive number/],
    ["tcp:h:80:nope=1", /unknown parameter 'nope'/],
    ["tcp:h:eighty", /port must be a non-negative integer/],
    ["tcp:a:1:b", /too many positional/],
    ["unix", /missing path/],
    ["unix:/x:checkPID=1", /unknown parameter 'checkPID'/],
    ["ssl:h:443:caCertsDir=/nonexistent", /cannot read the caCertsDir directory/],
    ["gopher:h:70", /Unknown endpoint type: 'gopher'/],
  ];
  for (const [desc, re] of bad) {
    it(`rejects ${JSON.stringify(desc)} with a clear EndpointDescriptionError`, () => {
      assert.throws(() => clientFromString(r, desc), (e: unknown) => {
        assert.ok(e instanceof EndpointDescriptionError, String(e));
        assert.match(e.message, re);
        return true;
      });
    });
  }
});
