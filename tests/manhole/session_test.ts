// deno-lint-ignore-file no-control-regex -- the tests match the terminal's escape sequences
// manhole/session.ts over a StringTransport and a MemoryReactorClock: the
// login (refusals logged, paced by the clock, limited per connection and per
// peer), the REPL (values, errors, continuation lines, ^C, ^D), Twisted's
// Deferred display (manhole.py's `<Deferred #n>` then `Deferred #n called
// back: …` / `failed: …`), the Telnet options it negotiates, and the live view.
import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it } from "node:test";
import { Deferred } from "../../deferred/deferred.ts";
import type { LogEvent } from "../../logger/event.ts";
import { formatEvent } from "../../logger/format.ts";
import { globalLogPublisher } from "../../logger/global.ts";
import { SecretChecker } from "../../manhole/auth.ts";
import { ManholeFactory, type ManholeSession } from "../../manhole/session.ts";
import { DO, ECHO, IAC, NAWS, SB, SE, SGA, Telnet, WILL } from "../../protocols/telnet.ts";
import { IPv4Address } from "../../reactor/address.ts";
import { connect as connectPair, FakeTransport } from "../../testing/iosim.ts";
import { MemoryReactorClock } from "../../testing/memory_reactor.ts";
import { StringTransport } from "../../testing/string_transport.ts";

let logged: string[] = [];
let telnetLogged: string[] = [];
const observer = (e: LogEvent): void => {
  if (e.log_namespace === "skein.manhole") logged.push(formatEvent(e));
  if (e.log_namespace === "skein.protocols.telnet") telnetLogged.push(formatEvent(e));
};
beforeEach(() => {
  logged = [];
  telnetLogged = [];
  globalLogPublisher.addObserver(observer);
});
afterEach(() => globalLogPublisher.removeObserver(observer));

interface Client {
  session: ManholeSession;
  transport: StringTransport;
  type(text: string): void;
  /** Raw bytes from the client (Telnet commands). */
  send(...bytes: number[]): void;
  /** What the server sent since the last call, with the editor's redraws of the typed line removed. */
  read(): string;
}

function setup(namespace: Record<string, unknown> = {}): {
  reactor: MemoryReactorClock;
  factory: ManholeFactory;
  connect(host?: string): Client;
} {
  const reactor = new MemoryReactorClock();
  const factory = new ManholeFactory({
    reactor,
    namespace,
    checker: new SecretChecker("open sesame"),
  });
  const connect = (host = "127.0.0.1"): Client => {
    const peer = new IPv4Address("TCP", host, 40000);
    const session = factory.buildProtocol(peer) as ManholeSession;
    const transport = new StringTransport({ peerAddress: peer });
    session.makeConnection(transport);
    return {
      session,
      transport,
      type: (text) => session.dataReceived(new TextEncoder().encode(text)),
      send: (...bytes) => session.dataReceived(new Uint8Array(bytes)),
      read: () => {
        const out = new TextDecoder().decode(transport.value());
        transport.clear();
        // Each keystroke redraws the row ("\r" + prompt + line + ESC[K); keep the last of a run.
        return out.replace(/(?:\r[^\r\n]*\x1b\[K(?:\x1b\[\d+D)?)+(?=\r[^\r\n]*\x1b\[K)/g, "");
      },
    };
  };
  return { reactor, factory, connect };
}

function loggedIn(namespace: Record<string, unknown> = {}): ReturnType<typeof setup> & {
  client: Client;
} {
  const env = setup(namespace);
  const client = env.connect();
  client.type("open sesame\r\n");
  assert.match(client.read(), /Logged in\./);
  return { ...env, client };
}

async function run(
  env: { factory: ManholeFactory; client: Client; },
  line: string,
): Promise<string> {
  env.client.type(`${line}\r\n`);
  await env.factory.idle();
  return env.client.read();
}

describe("manhole login", () => {
  it("negotiates ECHO and SGA from us, NAWS and SGA from the client, then asks for the password", () => {
    const { connect } = setup();
    const client = connect();
    const sent = [...client.transport.value()];
    assert.deepEqual(sent.slice(0, 12), [
      IAC,
      WILL,
      ECHO,
      IAC,
      WILL,
      SGA,
      IAC,
      DO,
      SGA,
      IAC,
      DO,
      NAWS,
    ]);
    assert.match(client.read(), /Skein manhole\r\n\rPassword: \x1b\[K$/);
    client.send(IAC, DO, ECHO, IAC, WILL, NAWS, IAC, SB, NAWS, 0, 120, 0, 40, IAC, SE);
    assert.deepEqual(client.session.windowSize, [120, 40]);
    assert.equal(client.session.getOptionState(ECHO).us.state, "yes");
  });

  it("the window width the client reports (NAWS) is where long lines wrap", () => {
    const env = loggedIn();
    env.client.type("'short'");
    assert.doesNotMatch(env.client.read(), /\x1b\[J/, "80 columns: one row, redrawn in place");
    env.client.send(IAC, SB, NAWS, 0, 10, 0, 24, IAC, SE);
    env.client.type("+ 'x'");
    assert.match(env.client.read(), /\x1b\[J/, "10 columns: redrawn over its rows");
  });

  it("a right password logs in and is logged; nothing typed is echoed", () => {
    const { connect } = setup({ app: 1 });
    const client = connect();
    client.read();
    client.type("open sesame\r\n");
    const out = client.read();
    assert.doesNotMatch(out, /open sesame/);
    assert.match(out, /Logged in\. Names: app, reactor, status\./);
    assert.match(out, />>> \x1b\[K$/);
    assert.deepEqual(logged, ["manhole login from 127.0.0.1"]);
  });

  it("a wrong password is refused, logged, and the next prompt waits for the failure delay", () => {
    const { connect, reactor } = setup();
    const client = connect();
    client.read();
    client.type("guess\r\n");
    assert.equal(client.read(), "\r\nLogin incorrect.\r\n");
    assert.match(
      logged[0],
      /refused a manhole login from 127\.0\.0\.1: wrong password or token \(1 recent failures\)/,
    );
    client.type("open sesame\r\n"); // typed during the delay: kept for the prompt
    assert.equal(client.read(), "");
    reactor.advance(0.999);
    assert.equal(client.read(), "");
    reactor.advance(0.001);
    assert.match(client.read(), /Password: .*Logged in\./s);
  });

  it("three wrong passwords on one connection close it; what was typed never ran", async () => {
    const app = { touched: false };
    const { connect, reactor, factory } = setup({ app });
    const client = connect();
    for (let i = 0; i < 3; i++) {
      client.type("app.touched = true\r\n");
      reactor.advance(1);
    }
    await factory.idle();
    assert.match(client.read(), /Login incorrect\.\r\nToo many failed logins\.\r\n$/);
    assert.equal(client.transport.disconnecting, true);
    assert.equal(app.touched, false);
    assert.equal(logged.filter((l) => l.startsWith("refused a manhole login")).length, 3);
  });

  it("five failures from one peer lock it out across connections; other peers are not affected; the lock expires", () => {
    const { connect, reactor } = setup();
    for (let i = 0; i < 5; i++) {
      const c = connect();
      c.type("wrong\r\n");
      reactor.advance(1);
    }
    assert.ok(logged.some((l) => /locked out 127\.0\.0\.1 from the manhole for 60 s/.test(l)));
    const refused = connect();
    assert.match(refused.read(), /^Too many failed logins; try again in \d+ s\.\r\n$/);
    assert.equal(refused.transport.disconnecting, true);
    assert.ok(
      logged.some((l) => /refused a manhole connection from 127\.0\.0\.1: locked out/.test(l)),
    );
    assert.match(connect("127.0.0.2").read(), /Password: \x1b\[K$/);
    reactor.advance(60);
    assert.match(connect().read(), /Password: \x1b\[K$/);
  });

  it("an overlong password line closes the connection with a logged reason, and is not checked", () => {
    const { connect } = setup();
    const client = connect();
    client.type("x".repeat(5000) + "\r\n");
    assert.equal(client.transport.disconnecting, true);
    assert.deepEqual(logged, [], "no login attempt was logged");
    assert.deepEqual(telnetLogged, [
      "closing a Telnet connection: a password longer than 4096 characters",
    ]);
  });

  it("^C at the password prompt asks again; ^D closes", () => {
    const { connect } = setup();
    const client = connect();
    client.read();
    client.type("abc\x03");
    assert.match(client.read(), /Password: \x1b\[K$/);
    client.type("\x04");
    assert.equal(client.transport.disconnecting, true);
  });
});

describe("manhole REPL", () => {
  it("shows values as util.inspect does, and nothing for undefined", async () => {
    const env = await loggedIn({ app: { name: "demo", ports: [80, 443] } });
    assert.equal(
      await run(env, "app"),
      "\r>>> app\x1b[K\r\n{ name: 'demo', ports: [ 80, 443 ] }\r\n\r>>> \x1b[K",
    );
    assert.equal(await run(env, "let quiet = 1"), "\r>>> let quiet = 1\x1b[K\r\n\r>>> \x1b[K");
  });

  it("changes the app's own objects", async () => {
    const app = { greeting: "hello" };
    const env = await loggedIn({ app });
    await run(env, "app.greeting = 'bonjour'");
    assert.equal(app.greeting, "bonjour");
  });

  it("shows a thrown error as Uncaught and goes on", async () => {
    const env = await loggedIn();
    assert.match(
      await run(env, "nope.x"),
      /\r\nUncaught ReferenceError: nope is not defined\r\n\r>>> /,
    );
    assert.match(await run(env, "1 + 1"), /\r\n2\r\n/);
  });

  it("asks for continuation lines while the input is incomplete", async () => {
    const env = await loggedIn();
    assert.match(await run(env, "function twice(n) {"), /\r\n\r\.\.\. \x1b\[K$/);
    assert.match(await run(env, "  return 2 * n"), /\r\.\.\. \x1b\[K$/);
    assert.match(await run(env, "}"), />>> \x1b\[K$/);
    assert.match(await run(env, "twice(21)"), /\r\n42\r\n/);
  });

  it("shows a Deferred as <Deferred #n>, then its result above the prompt when it fires (Twisted's manhole)", async () => {
    const d = new Deferred<number>();
    const env = await loggedIn({ d });
    assert.equal(await run(env, "d"), "\r>>> d\x1b[K\r\n<Deferred #1>\r\n\r>>> \x1b[K");
    env.client.type("par");
    env.client.read();
    d.callback(42);
    assert.equal(env.client.read(), "\r\x1b[KDeferred #1 called back: 42\r\n\r>>> par\x1b[K");
    assert.equal(await d, 42, "the result passes on unchanged");
  });

  it("numbers each Deferred once, and shows a failure by its message", async () => {
    const a = new Deferred<number>();
    const b = new Deferred<number>();
    const env = await loggedIn({ a, b });
    assert.match(await run(env, "a"), /<Deferred #1>/);
    assert.match(await run(env, "b"), /<Deferred #2>/);
    assert.match(await run(env, "a"), /<Deferred #1>/);
    b.errback(new Error("disk on fire"));
    assert.match(
      env.client.read(),
      /Deferred #2 failed: 'disk on fire'/,
      "the message as a repr, as Twisted's %r",
    );
    b.addErrback(() => null);
  });

  it("a fired Deferred shows as its repr, not numbered; a pending one is forgotten once it fired (Twisted's displayhook)", async () => {
    const made = new Deferred<string>();
    made.callback("ready");
    const later = new Deferred<number>();
    const env = loggedIn({ made, later, Deferred });
    assert.match(await run(env, "made"), /\r\n<Deferred current result: "ready">\r\n/);
    assert.match(await run(env, "later"), /<Deferred #1>/);
    later.callback(5);
    assert.match(env.client.read(), /Deferred #1 called back: 5/);
    assert.match(await run(env, "later"), /\r\n<Deferred current result: 5>\r\n/);
    assert.match(await run(env, "new Deferred()"), /<Deferred #2>/, "numbers are not reused");
  });

  it("await a Deferred shows its result", async () => {
    const env = await loggedIn({ later: () => new Deferred<number>() });
    const d = new Deferred<number>();
    env.factory.evaluator.namespace.d = d;
    env.client.type("await d\r\n");
    d.callback(7);
    await env.factory.idle();
    assert.match(env.client.read(), /\r\n7\r\n\r>>> /);
  });

  it("^C while an input runs stops waiting for it (its outcome is dropped); the next input runs", async () => {
    const hang = new Deferred<number>();
    const env = await loggedIn({ hang });
    env.client.type("await hang\r\n");
    env.client.type("\x03");
    assert.match(
      env.client.read(),
      /Interrupted: the input goes on running; its outcome is dropped\.\r\n\r>>> /,
    );
    assert.match(await run(env, "'next'"), /'next'/);
    hang.callback(1);
    // A macrotask boundary: every microtask of the dropped evaluation has run.
    await new Promise((ok) => setImmediate(ok));
    assert.doesNotMatch(env.client.read(), /\r\n1\r\n/);
  });

  it("^D on an empty line logs out", async () => {
    const env = await loggedIn();
    env.client.type("\x04");
    assert.equal(env.client.transport.disconnecting, true);
  });

  it("status() shows the reactor's delayed calls", async () => {
    const env = await loggedIn();
    env.reactor.callLater(30, () => {});
    assert.match(await run(env, "status()"), /delayed calls: 1\r\n {2}in 30\.000s {2}<DelayedCall/);
  });

  it("malformed Telnet input closes the connection", async () => {
    const env = await loggedIn();
    env.client.send(IAC, 7);
    assert.equal(env.client.transport.disconnecting, true);
  });

  it("the sessions share one namespace", async () => {
    const env = await loggedIn();
    await run(env, "shared = 'from one'");
    const other = env.connect();
    other.type("open sesame\r\n");
    other.read();
    other.type("shared\r\n");
    await env.factory.idle();
    assert.match(other.read(), /'from one'/);
    assert.equal(env.factory.sessions.size, 2);
  });
});

describe("manhole over iosim, with a Skein Telnet client", () => {
  class TelnetClient extends Telnet {
    screen = "";
    override enableRemote(option: number): boolean {
      return option === ECHO || option === SGA;
    }
    override enableLocal(option: number): boolean {
      return option === NAWS || option === SGA;
    }
    override applicationDataReceived(data: Uint8Array): void {
      this.screen += new TextDecoder().decode(data);
    }
  }

  it("negotiates every option both ways, takes the window size, logs in and evaluates", async () => {
    const reactor = new MemoryReactorClock();
    const factory = new ManholeFactory({
      reactor,
      namespace: { n: 6 },
      checker: new SecretChecker("pw"),
    });
    const server = factory.buildProtocol(new IPv4Address("TCP", "127.0.0.1", 1)) as ManholeSession;
    const client = new TelnetClient();
    const pump = connectPair(
      server,
      new FakeTransport(server, true),
      client,
      new FakeTransport(client, false),
    );
    pump.flush();
    for (const option of [ECHO, SGA]) assert.equal(server.getOptionState(option).us.state, "yes");
    for (const option of [SGA, NAWS]) assert.equal(server.getOptionState(option).him.state, "yes");
    assert.equal(client.getOptionState(ECHO).him.state, "yes");
    client.requestNegotiation(NAWS, new Uint8Array([0, 90, 0, 30]));
    client.write("pw\r\nn * 7\r\n");
    pump.flush();
    await factory.idle();
    pump.flush();
    assert.deepEqual(server.windowSize, [90, 30]);
    assert.match(client.screen, /Logged in\.[^]*\n42\n/);
  });
});
