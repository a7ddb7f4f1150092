// One argument check for every reactor (reactor/_validate.ts): a bad argument
// to listenTCP, connectTCP, listenUNIX, connectUNIX, listenUDP or a UDP
// port's connect/setMaxPacketSize throws the same typed error, with the same
// message, on every reactor kind, before anything is started (the factory is
// never started). Twisted does not check most of these; it fails later in
// bind() or connect() with the OS's message, or not at all (backlog -5).
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { describe, it } from "node:test";
import type { IUDPTransport } from "../../interfaces.ts";
import { ClientFactory, DatagramProtocol, Factory, Protocol } from "../../protocols/mod.ts";
import { DEFAULT_BACKLOG } from "../../reactor/_validate.ts";
import { CannotListenError, InvalidAddressError } from "../../reactor/errors.ts";
import type { Reactor } from "../../reactor/install.ts";
import { RUNTIME } from "../_runtime.ts";
import { KINDS, portOf, withReactor } from "./_helpers.ts";

const NO_SS: string | false = spawnSync("ss", ["-V"]).error !== undefined
  && "ss (iproute2) is not installed";
const SOMAXCONN = ((): number => {
  try {
    return Number(readFileSync("/proc/sys/net/core/somaxconn", "utf8"));
  } catch {
    return 4096;
  }
})();

/** A factory that fails the test if the reactor starts it. */
class NeverStarted extends Factory {
  override doStart(): void {
    throw new Error("the factory was started for a call with a bad argument");
  }
}
class NeverStartedClient extends ClientFactory {
  override doStart(): void {
    throw new Error("the factory was started for a call with a bad argument");
  }
}

type Case = [string, (r: Reactor) => unknown, ErrorConstructor | typeof CannotListenError];
const S = "/tmp/skein-validate.sock";
const bad = <T>(v: unknown): T => v as T;

const CASES: Case[] = [
  ["listenTCP port -1", (r) => r.listenTCP(-1, new NeverStarted()), RangeError],
  ["listenTCP port 65536", (r) => r.listenTCP(65536, new NeverStarted()), RangeError],
  ["listenTCP port 1.5", (r) => r.listenTCP(1.5, new NeverStarted()), RangeError],
  ["listenTCP port NaN", (r) => r.listenTCP(Number.NaN, new NeverStarted()), RangeError],
  ["listenTCP port '80'", (r) => r.listenTCP(bad("80"), new NeverStarted()), RangeError],
  ["listenTCP backlog -5", (r) => r.listenTCP(0, new NeverStarted(), { backlog: -5 }), RangeError],
  [
    "listenTCP backlog 1.5",
    (r) => r.listenTCP(0, new NeverStarted(), { backlog: 1.5 }),
    RangeError,
  ],
  [
    "listenTCP interface 'localhost'",
    (r) => r.listenTCP(0, new NeverStarted(), { interface: "localhost" }),
    CannotListenError,
  ],
  [
    "listenTCP interface 5",
    (r) => r.listenTCP(0, new NeverStarted(), { interface: bad(5) }),
    CannotListenError,
  ],
  ["connectTCP host ''", (r) => r.connectTCP("", 80, new NeverStartedClient()), TypeError],
  ["connectTCP host 5", (r) => r.connectTCP(bad(5), 80, new NeverStartedClient()), TypeError],
  [
    "connectTCP port -1",
    (r) => r.connectTCP("127.0.0.1", -1, new NeverStartedClient()),
    RangeError,
  ],
  [
    "connectTCP port 70000",
    (r) => r.connectTCP("127.0.0.1", 70000, new NeverStartedClient()),
    RangeError,
  ],
  [
    "connectTCP timeout -1",
    (r) => r.connectTCP("127.0.0.1", 80, new NeverStartedClient(), { timeout: -1 }),
    RangeError,
  ],
  [
    "connectTCP timeout NaN",
    (r) => r.connectTCP("127.0.0.1", 80, new NeverStartedClient(), { timeout: Number.NaN }),
    RangeError,
  ],
  [
    "connectTCP bindAddress ['nope', 0]",
    (r) => r.connectTCP("127.0.0.1", 80, new NeverStartedClient(), { bindAddress: ["nope", 0] }),
    TypeError,
  ],
  [
    "connectTCP bindAddress port -1",
    (r) =>
      r.connectTCP("127.0.0.1", 80, new NeverStartedClient(), { bindAddress: ["127.0.0.1", -1] }),
    RangeError,
  ],
  ["listenUNIX path ''", (r) => r.listenUNIX("", new NeverStarted()), TypeError],
  ["listenUNIX path 5", (r) => r.listenUNIX(bad(5), new NeverStarted()), TypeError],
  [
    "listenUNIX backlog -5",
    (r) => r.listenUNIX(S, new NeverStarted(), { backlog: -5 }),
    RangeError,
  ],
  ["listenUNIX mode -1", (r) => r.listenUNIX(S, new NeverStarted(), { mode: -1 }), RangeError],
  [
    "listenUNIX mode 0o10000",
    (r) => r.listenUNIX(S, new NeverStarted(), { mode: 0o10000 }),
    RangeError,
  ],
  ["connectUNIX path ''", (r) => r.connectUNIX("", new NeverStartedClient()), TypeError],
  [
    "connectUNIX timeout -1",
    (r) => r.connectUNIX(S, new NeverStartedClient(), { timeout: -1 }),
    RangeError,
  ],
  ["listenUDP port -1", (r) => r.listenUDP(-1, new DatagramProtocol()), RangeError],
  [
    "listenUDP interface 'localhost'",
    (r) => r.listenUDP(0, new DatagramProtocol(), { interface: "localhost" }),
    CannotListenError,
  ],
  [
    "listenUDP maxPacketSize 0",
    (r) => r.listenUDP(0, new DatagramProtocol(), { maxPacketSize: 0 }),
    RangeError,
  ],
];

/** What `fn` throws, as [class name, message, cause's class name]. */
function thrown(fn: () => unknown): [string, string, string] {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof Error, String(e));
    const cause = e instanceof CannotListenError ? e.socketError.constructor.name : "";
    return [e.constructor.name, e.message, cause];
  }
  assert.fail("did not throw");
}

describe("argument checks, the same on every reactor", () => {
  for (const [name, call, type] of CASES) {
    it(`${name}: ${type.name}, one message on ${KINDS.join(", ")}`, async () => {
      const seen: Record<string, [string, string, string]> = {};
      for (const kind of KINDS) {
        await withReactor(kind, (r) => {
          let err: unknown;
          try {
            call(r);
          } catch (e) {
            err = e;
          }
          assert.ok(err instanceof type, `${kind}: ${String(err)}`);
          seen[kind] = thrown(() => call(r));
          return Promise.resolve();
        });
      }
      const first = seen[KINDS[0]];
      for (const kind of KINDS) {
        assert.deepEqual(seen[kind], first, `${kind} differs from ${KINDS[0]}`);
      }
      assert.match(first[1], /must be|is not/, "the message says what is expected");
      if (type === CannotListenError) assert.equal(first[2], InvalidAddressError.name);
    });
  }

  it("a UDP port's connect, setMaxPacketSize and write check their arguments alike everywhere", async () => {
    const seen: Record<string, string[]> = {};
    for (const kind of KINDS) {
      await withReactor(kind, async (r) => {
        const t: IUDPTransport = r.listenUDP(0, new DatagramProtocol(), { interface: "127.0.0.1" });
        const msgs: string[] = [];
        for (
          const fn of [
            () => t.connect("localhost", 53),
            () => t.connect("127.0.0.1", 70000),
            () => t.setMaxPacketSize!(0),
            () => t.write("x"),
            () => t.write("x", ["localhost", 9]),
            () => t.write("x", ["::1", 9]),
            () => t.write("x", ["127.0.0.1", 70000]),
          ]
        ) {
          try {
            fn();
            msgs.push("no error");
          } catch (e) {
            msgs.push(`${(e as Error).constructor.name}: ${(e as Error).message}`);
          }
        }
        seen[kind] = msgs;
        await t.stopListening();
      });
    }
    for (const kind of KINDS) assert.deepEqual(seen[kind], seen[KINDS[0]], kind);
    assert.match(seen[KINDS[0]][0], /^InvalidAddressError: /);
    assert.match(seen[KINDS[0]][1], /^RangeError: /);
    assert.match(seen[KINDS[0]][2], /^RangeError: /);
    assert.match(seen[KINDS[0]][3], /^InvalidAddressError: .*needs an address/);
    assert.match(seen[KINDS[0]][4], /^InvalidAddressError: .*not an IPv4 or IPv6 address/);
    assert.match(seen[KINDS[0]][5], /^InvalidAddressError: .*IPv6 address and this port is IPv4/);
    assert.match(seen[KINDS[0]][6], /^RangeError: /);
  });

  it(
    "the kernel's listen queue is 511 by default and the backlog given otherwise (ss's Send-Q)",
    { skip: NO_SS },
    async () => {
      // For a listening socket, ss reports the backlog listen() was given
      // (capped by net.core.somaxconn) as Send-Q: what each backend passed.
      const queue = (local: string, unix: boolean): number => {
        const out = execFileSync("ss", ["-Hln", unix ? "-x" : "-t"]).toString();
        const line = out.split("\n").find((l) => l.split(/\s+/).includes(local));
        assert.ok(line, `ss lists no listener on ${local}:\n${out}`);
        return Number(line.trim().split(/\s+/)[unix ? 3 : 2]);
      };
      for (const kind of KINDS) {
        await withReactor(kind, async (r) => {
          const f = Factory.forProtocol(Protocol);
          const dflt = r.listenTCP(0, f, { interface: "127.0.0.1" });
          const seven = r.listenTCP(0, f, { interface: "127.0.0.1", backlog: 7 });
          const path = join(tmpdir(), `skein-backlog-${process.pid}-${kind}.sock`);
          const unix = r.listenUNIX(path, f);
          const want = Math.min(511, SOMAXCONN);
          const tcp = [
            queue(`127.0.0.1:${portOf(dflt)}`, false),
            queue(`127.0.0.1:${portOf(seven)}`, false),
          ];
          const unixQueue = queue(path, true);
          if (kind !== "host") {
            assert.deepEqual([...tcp, unixQueue], [want, 7, want], kind);
          } else if (RUNTIME === "deno") {
            // Deno's node:net passes a TCP backlog as given, but rounds a Unix
            // socket's up to a power of two (511 -> 512).
            assert.deepEqual(tcp, [want, 7], kind);
            assert.equal(unixQueue, 512, `${kind} Unix`);
          } else {
            // Bun's node:net listens with 512 whatever the backlog: the host
            // backend cannot pass it there (documented on HostTCPPort).
            assert.deepEqual([...tcp, unixQueue], [512, 512, 512], kind);
          }
          await Promise.all([dflt.stopListening(), seven.stopListening(), unix.stopListening()]);
        });
      }
    },
  );

  it("the default listen backlog is 511 (Node's and nginx's; Twisted's is 50)", async () => {
    assert.equal(DEFAULT_BACKLOG, 511);
    for (const kind of KINDS) {
      await withReactor(kind, async (r) => {
        const p = r.listenTCP(0, Factory.forProtocol(Protocol), { interface: "127.0.0.1" });
        assert.equal((p as unknown as { backlog: number; }).backlog, 511, kind);
        await p.stopListening();
      });
    }
  });
});
