// Endpoints over real loopback sockets (127.0.0.1, ::1 and Unix sockets in a
// temporary directory), on the default FFI reactor and on the host reactor.
// Name resolution stays local (localhost from the hosts file, or a fixed
// resolver): DNS failures are tested on MemoryReactorClock instead, so no
// query ever leaves the machine.
import assert from "node:assert/strict";
import { lstatSync, mkdtempSync, readlinkSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { describe, it } from "node:test";
import type { Failure } from "../../deferred/failure.ts";
import { connectProtocol } from "../../endpoints/connect_protocol.ts";
import { clientFromString, serverFromString } from "../../endpoints/from_string.ts";
import { HostnameEndpoint } from "../../endpoints/hostname.ts";
import { TCP4ClientEndpoint, TCP6ClientEndpoint } from "../../endpoints/tcp.ts";
import type { IAddress, IListeningPort, IProtocol } from "../../interfaces.ts";
import { TextLineReceiver } from "../../protocols/basic/line_receiver.ts";
import { ClientFactory, Factory } from "../../protocols/factory.ts";
import { ConnectingCancelledError, ConnectionRefusedError } from "../../reactor/errors.ts";
import { defaultReactorKind, type ReactorKind } from "../../reactor/install.ts";
import { timeout, withReactor } from "../reactor/_helpers.ts";
import { ipOf } from "./_helpers.ts";

const KINDS: ReactorKind[] = [defaultReactorKind(), "host"];

/** Echoes each line back upper-cased; `bye` closes. */
class Shouter extends TextLineReceiver {
  override textLineReceived(line: string): void {
    if (line === "bye") this.transport!.loseConnection();
    else this.sendLine(line.toUpperCase());
  }
}

/** Collects lines; `waitFor(n)` resolves once n lines arrived; records the close. */
class Collector extends TextLineReceiver {
  lines: string[] = [];
  lost: Failure | null = null;
  #waiters: Array<[number, () => void]> = [];
  #closed: Array<() => void> = [];
  override textLineReceived(line: string): void {
    this.lines.push(line);
    this.#waiters = this.#waiters.filter(([n, resolve]) => {
      if (this.lines.length >= n) resolve();
      return this.lines.length < n;
    });
  }
  override connectionLost(reason: Failure): void {
    this.lost = reason;
    for (const f of this.#closed) f();
  }
  waitFor(n: number): Promise<void> {
    if (this.lines.length >= n) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push([n, resolve]));
  }
  closed(): Promise<void> {
    if (this.lost) return Promise.resolve();
    return new Promise((resolve) => this.#closed.push(resolve));
  }
}

/** Round-trip lines through a connected Collector, then say bye and wait for the close. */
async function roundTrip(client: Collector, lines: string[]): Promise<void> {
  for (const l of lines) client.sendLine(l);
  await timeout(client.waitFor(lines.length), 10_000, "echoed lines");
  assert.deepEqual(client.lines, lines.map((l) => l.toUpperCase()));
  client.sendLine("bye");
  await timeout(client.closed(), 10_000, "server closing");
}

for (const kind of KINDS) {
  describe(`endpoints on real sockets (${kind} reactor)`, () => {
    it("tcp: serverFromString + clientFromString on 127.0.0.1", async () => {
      await withReactor(kind, async (r) => {
        const port = await serverFromString(r, "tcp:0:interface=127.0.0.1")
          .listen(Factory.forProtocol(Shouter));
        try {
          const n = port.getHost().port;
          assert.ok(n > 0);
          const client = await clientFromString(r, `tcp:127.0.0.1:${n}:timeout=5`)
            .connect<Collector>(ClientFactory.forProtocol(Collector));
          assert.ok(client instanceof Collector);
          await roundTrip(client, ["hello", "wörld", "x".repeat(5000)]);
        } finally {
          await port.stopListening();
        }
      });
    });

    it("tcp6: serverFromString with an escaped ::1, TCP6ClientEndpoint", async () => {
      await withReactor(kind, async (r) => {
        const port = await serverFromString(r, "tcp6:0:interface=\\:\\:1")
          .listen(Factory.forProtocol(Shouter));
        try {
          const n = port.getHost().port;
          const viaString = await clientFromString(r, `tcp6:host=\\:\\:1:port=${n}`)
            .connect<Collector>(ClientFactory.forProtocol(Collector));
          await roundTrip(viaString, ["six"]);
          const direct = await connectProtocol(
            new TCP6ClientEndpoint(r, "::1", n),
            new Collector(),
          );
          await roundTrip(direct, ["again"]);
        } finally {
          await port.stopListening();
        }
      });
    });

    it("unix: serverFromString + clientFromString on a socket file", async () => {
      const dir = mkdtempSync(join(tmpdir(), "skein-h6-"));
      try {
        await withReactor(kind, async (r) => {
          const path = join(dir, "echo.sock");
          const port = await serverFromString(r, `unix:${path}:mode=600:lockfile=0`)
            .listen(Factory.forProtocol(Shouter));
          try {
            const client = await clientFromString(r, `unix:path=${path}:timeout=5`)
              .connect<Collector>(ClientFactory.forProtocol(Collector));
            await roundTrip(client, ["over", "unix"]);
          } finally {
            await port.stopListening();
          }
        });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it("unix: the string form's default lockfile=1 holds PATH.lock; a client's lockfile=1 checks it", async () => {
      const dir = mkdtempSync(join(tmpdir(), "skein-h6-"));
      try {
        await withReactor(kind, async (r) => {
          const path = join(dir, "locked.sock");
          const port = await serverFromString(r, `unix:${path}`).listen(
            Factory.forProtocol(Shouter),
          );
          try {
            // Twisted's FilesystemLock: a symlink whose target is our PID.
            assert.equal(readlinkSync(`${path}.lock`), String(process.pid));
            const client = await clientFromString(r, `unix:${path}:lockfile=1`)
              .connect<Collector>(ClientFactory.forProtocol(Collector));
            await roundTrip(client, ["locked"]);
          } finally {
            await port.stopListening();
          }
          assert.throws(() => lstatSync(`${path}.lock`), "the lock is released");
        });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it("cancelling a connect in progress fails it with ConnectingCancelledError", async () => {
      await withReactor(kind, async (r) => {
        const port = await serverFromString(r, "tcp:0:interface=127.0.0.1")
          .listen(Factory.forProtocol(Shouter));
        try {
          const n = port.getHost().port;
          let built = 0;
          class Counting extends ClientFactory {
            override protocol = Collector;
            override buildProtocol(addr: IAddress): IProtocol | null {
              built++;
              return super.buildProtocol(addr);
            }
          }
          const d = new TCP4ClientEndpoint(r, "127.0.0.1", n, { timeout: 5 }).connect(
            new Counting(),
          );
          d.cancel(); // before the reactor saw the connect complete
          await assert.rejects(timeout(d, 10_000, "cancellation"), ConnectingCancelledError);
          await new Promise((resolve) => setTimeout(resolve, 100));
          assert.equal(built, 0, "no protocol was built for the cancelled attempt");
          // The endpoint still works afterwards.
          const ok = await clientFromString(r, `tcp:127.0.0.1:${n}`)
            .connect<Collector>(ClientFactory.forProtocol(Collector));
          await roundTrip(ok, ["after cancel"]);
        } finally {
          await port.stopListening();
        }
      });
    });

    it("a refused connection fails the Deferred with ConnectionRefusedError", async () => {
      await withReactor(kind, async (r) => {
        // A port that was just free: listen on 0, note it, close it.
        const p = await serverFromString(r, "tcp:0:interface=127.0.0.1").listen(new Factory());
        const n = p.getHost().port;
        await p.stopListening();
        const d = new TCP4ClientEndpoint(r, "127.0.0.1", n, { timeout: 5 }).connect(
          new ClientFactory(),
        );
        await assert.rejects(timeout(d, 10_000, "refusal"), ConnectionRefusedError);
      });
    });

    it("HostnameEndpoint to localhost", async () => {
      await withReactor(kind, async (r) => {
        // Listen on both loopbacks so whichever address localhost has works.
        const v4 = await serverFromString(r, "tcp:0:interface=127.0.0.1")
          .listen(Factory.forProtocol(Shouter));
        const n = v4.getHost().port;
        let v6: IListeningPort | null = null;
        try {
          v6 = await serverFromString(r, `tcp6:${n}:interface=\\:\\:1`).listen(
            Factory.forProtocol(Shouter),
          );
        } catch {
          // ::1 may have that port taken; the IPv4 listener is enough.
        }
        try {
          const client = await new HostnameEndpoint(r, "localhost", n, { timeout: 5 })
            .connect<Collector>(ClientFactory.forProtocol(Collector));
          await roundTrip(client, ["by name"]);
        } finally {
          await v4.stopListening();
          if (v6) await v6.stopListening();
        }
      });
    });

    it("HostnameEndpoint falls through a refused ::1 to 127.0.0.1 without waiting", async () => {
      await withReactor(kind, async (r) => {
        const v4 = await serverFromString(r, "tcp:0:interface=127.0.0.1")
          .listen(Factory.forProtocol(Shouter));
        const n = v4.getHost().port;
        try {
          const start = r.seconds();
          const client = await new HostnameEndpoint(r, "dual.test", n, {
            timeout: 5,
            attemptDelay: 30, // only the fail-fast path can make this quick
            resolver: () => ["::1", "127.0.0.1"],
          }).connect<Collector>(ClientFactory.forProtocol(Collector));
          assert.ok(r.seconds() - start < 10, "did not wait out attemptDelay");
          assert.equal(ipOf(client.transport!.getPeer()).host, "127.0.0.1");
          await roundTrip(client, ["fallback"]);
        } finally {
          await v4.stopListening();
        }
      });
    });
  });
}
