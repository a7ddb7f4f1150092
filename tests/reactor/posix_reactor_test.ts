/**
 * File-descriptor readiness on every FFI poller, through a socketpair and a
 * tiny IReadWriteDescriptor: Twisted's `_doReadOrWrite` /
 * `_disconnectSelectable` rules (`twisted/internet/posixbase.py`).
 */

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Failure } from "../../deferred/failure.ts";
import {
  ConnectionDone,
  ConnectionFdescWentAway,
  ReactorNotRunning,
} from "../../reactor/errors.ts";
import type { PollerKind } from "../../reactor/pollers/poller.ts";
import { PosixReactor } from "../../reactor/posix_reactor.ts";
import { close, FdDescriptor, readSome, socketpair, writeAll } from "./_fds.ts";
import { FFI_KINDS, LogCapture, makePosix, runFor } from "./_reactor_kinds.ts";

for (const kind of FFI_KINDS) {
  describe(`descriptors on the ${kind} reactor`, () => {
    it("addReader: doRead runs when data arrives (written from a host timer while parked)", async () => {
      const r = makePosix(kind);
      const [a, b] = socketpair();
      const d = new FdDescriptor(a);
      d.onRead = (self) => {
        self.received.push(new TextDecoder().decode(readSome(self.fd)!));
        if (self.received.join("") === "hello world") r.stop();
      };
      r.addReader(d);
      assert.deepEqual(r.getReaders(), [d]);
      r.callWhenRunning(() => {
        setTimeout(() => writeAll(b, "hello "), 20);
        setTimeout(() => writeAll(b, "world"), 40);
      });
      await runFor(r, 5000);
      assert.equal(d.received.join(""), "hello world");
      r.removeReader(d);
      close(a);
      close(b);
    });

    it("addWriter: doWrite runs while writable; removeWriter stops it", async () => {
      const r = makePosix(kind);
      const [a, b] = socketpair();
      const d = new FdDescriptor(a);
      let writes = 0;
      d.onWrite = (self) => {
        writes++;
        writeAll(self.fd, "x");
        if (writes === 3) {
          r.removeWriter(self);
          r.callLater(0.02, () => r.stop());
        }
      };
      r.addWriter(d);
      assert.deepEqual(r.getWriters(), [d]);
      await runFor(r, 5000);
      assert.equal(writes, 3);
      assert.deepEqual(r.getWriters(), []);
      assert.equal(new TextDecoder().decode(readSome(b)!), "xxx");
      close(a);
      close(b);
    });

    it("a reader and a writer on one fd share one registration", async () => {
      const r = makePosix(kind);
      const [a, b] = socketpair();
      const d = new FdDescriptor(a);
      d.onWrite = (self) => {
        writeAll(self.fd, "ping");
        r.removeWriter(self);
      };
      const peer = new FdDescriptor(b, "peer");
      peer.onRead = (self) => {
        const got = new TextDecoder().decode(readSome(self.fd)!);
        writeAll(self.fd, got === "ping" ? "pong" : "??");
      };
      let removed: unknown[] = [];
      d.onRead = (self) => {
        self.received.push(new TextDecoder().decode(readSome(self.fd)!));
        removed = r.removeAll();
        r.stop();
      };
      r.addReader(d);
      r.addWriter(d);
      r.addReader(peer);
      await runFor(r, 5000);
      assert.deepEqual(d.received, ["pong"]);
      assert.equal(removed.length, 2);
      assert.deepEqual(r.getReaders(), []);
      assert.equal(d.lost, null);
      close(a);
      close(b);
    });

    it("doRead returning an Error disconnects: removed, connectionLost(Failure(err))", async () => {
      const r = makePosix(kind);
      const [a, b] = socketpair();
      const d = new FdDescriptor(a);
      r.addReader(d);
      r.addWriter(d);
      d.onWrite = () => null;
      d.onLost = () => r.stop();
      r.callWhenRunning(() => close(b)); // EOF: doRead reads 0 and returns ConnectionDone
      await runFor(r, 5000);
      assert.ok(d.lost?.value instanceof ConnectionDone);
      assert.deepEqual(r.getReaders(), []);
      assert.deepEqual(r.getWriters(), [], "not half-closeable: the writer goes too");
      close(a);
    });

    it("a half-closeable descriptor gets readConnectionLost and stays a writer", async () => {
      const r = makePosix(kind);
      const [a, b] = socketpair();
      const d = new (class extends FdDescriptor {
        readLost: Failure | null = null;
        state: [unknown[], unknown[]] | null = null;
        readConnectionLost(reason: Failure): void {
          this.readLost = reason;
          r.callLater(0.01, () => {
            this.state = [r.getReaders(), r.getWriters()];
            r.removeAll();
            r.stop();
          });
        }
      })(a);
      d.onWrite = () => null;
      r.addReader(d);
      r.addWriter(d);
      r.callWhenRunning(() => close(b));
      await runFor(r, 5000);
      assert.ok(d.readLost?.value instanceof ConnectionDone);
      assert.equal(d.lost, null);
      assert.deepEqual(d.state, [[], [d]]);
      close(a);
    });

    it("an exception thrown by doRead is logged and disconnects the descriptor", async () => {
      const r = makePosix(kind);
      const cap = new LogCapture();
      const [a, b] = socketpair();
      const d = new FdDescriptor(a);
      d.onRead = () => {
        throw new Error("doRead blew up");
      };
      d.onLost = () => r.stop();
      r.addReader(d);
      try {
        r.callWhenRunning(() => writeAll(b, "x"));
        await runFor(r, 5000);
      } finally {
        cap.close();
      }
      assert.equal((d.lost?.value as Error).message, "doRead blew up");
      assert.deepEqual(cap.messages(), ["doRead blew up"]);
      assert.deepEqual(r.getReaders(), []);
      close(a);
      close(b);
    });

    it("a descriptor whose fileno() is -1 is dropped with ConnectionFdescWentAway", async () => {
      const r = makePosix(kind);
      const [a, b] = socketpair();
      const d = new FdDescriptor(a);
      r.addReader(d);
      d.onLost = () => r.stop();
      r.callWhenRunning(() => {
        writeAll(b, "x");
        d.fd = -1; // "closed" without telling the reactor
      });
      await runFor(r, 5000);
      assert.ok(d.lost?.value instanceof ConnectionFdescWentAway);
      assert.deepEqual(d.events, ["lost"]);
      close(a);
      close(b);
    });

    it("a descriptor removed by an earlier callback of the same batch is not called", async () => {
      const r = makePosix(kind);
      const [a1, b1] = socketpair();
      const [a2, b2] = socketpair();
      const d1 = new FdDescriptor(a1, "one");
      const d2 = new FdDescriptor(a2, "two");
      let firstCalled = "";
      const onRead = (self: FdDescriptor): null => {
        readSome(self.fd);
        if (firstCalled === "") {
          firstCalled = self.name;
          r.removeReader(self === d1 ? d2 : d1);
          r.callLater(0.03, () => r.stop());
        }
        return null;
      };
      d1.onRead = onRead;
      d2.onRead = onRead;
      r.addReader(d1);
      r.addReader(d2);
      // Both readable before the loop starts: they arrive in one poll batch.
      writeAll(b1, "x");
      writeAll(b2, "y");
      await runFor(r, 5000);
      const other = firstCalled === "one" ? d2 : d1;
      assert.deepEqual(other.events, []);
      r.removeAll();
      for (const fd of [a1, b1, a2, b2]) close(fd);
    });

    it("a reader added while the reactor is parked is watched (poll/select re-park)", async () => {
      const r = makePosix(kind);
      const [a, b] = socketpair();
      const d = new FdDescriptor(a);
      d.onRead = (self) => {
        readSome(self.fd);
        r.removeReader(self);
        r.stop();
      };
      r.callWhenRunning(() => {
        setTimeout(() => {
          r.addReader(d);
          setTimeout(() => writeAll(b, "late"), 20);
        }, 30);
      });
      await runFor(r, 5000);
      assert.deepEqual(d.events, ["read"]);
      r.removeAll();
      close(a);
      close(b);
    });

    it("runBlocking: timers and descriptors work, promises resolve between iterations", async () => {
      const r = makePosix(kind);
      const [a, b] = socketpair();
      const d = new FdDescriptor(a);
      const seen: string[] = [];
      d.onRead = (self) => {
        seen.push(`read ${new TextDecoder().decode(readSome(self.fd)!)}`);
        Promise.resolve().then(() => {
          seen.push("microtask");
          r.callLater(0.01, () => r.stop());
        });
      };
      r.addReader(d);
      r.callLater(0.02, () => {
        seen.push("timer");
        writeAll(b, "z");
      });
      let timedOut = false;
      const guard = setTimeout(() => {
        timedOut = true;
      }, 10000);
      await r.runBlocking();
      clearTimeout(guard);
      assert.equal(timedOut, false);
      assert.deepEqual(seen, ["timer", "read z", "microtask"]);
      r.removeAll();
      close(a);
      close(b);
    });

    it("runBlocking: a deep promise chain settles before the loop blocks", async () => {
      const r = makePosix(kind);
      const [a, b] = socketpair();
      const d = new FdDescriptor(a);
      let stoppedBy = "";
      d.onRead = (self) => {
        readSome(self.fd);
        void (async () => {
          for (let i = 0; i < 10; i++) await null;
          await Promise.resolve();
          stoppedBy = "chain";
          r.removeReader(self);
          r.stop();
        })();
      };
      r.addReader(d);
      // A safety net, so that a loop that blocks too early ends the test (failing).
      r.callLater(3, () => {
        if (stoppedBy === "") {
          stoppedBy = "safety timer";
          r.stop();
        }
      });
      writeAll(b, "go");
      await r.runBlocking();
      assert.equal(stoppedBy, "chain");
      close(a);
      close(b);
    });

    it("after stop() the poller is released; later registrations are only recorded", async () => {
      const r = makePosix(kind);
      r.callWhenRunning(() => r.stop());
      await runFor(r, 5000);
      const [a, b] = socketpair();
      const d = new FdDescriptor(a);
      r.addReader(d);
      r.addWriter(d);
      assert.deepEqual(r.getReaders(), [d]);
      r.removeReader(d);
      r.removeWriter(d);
      assert.deepEqual(r.getWriters(), []);
      close(a);
      close(b);
    });

    it("run() throws if the parker cannot start, leaving the reactor not running", () => {
      const r = new PosixReactor(kind as PollerKind, {
        makeParker: () => {
          throw new Error("no parker here");
        },
      });
      assert.throws(() => r.run({ installSignalHandlers: false }), /no parker here/);
      assert.equal(r.running, false);
      assert.throws(() => r.stop(), ReactorNotRunning);
    });

    it("addReader refuses a closed descriptor", () => {
      const r = makePosix(kind);
      assert.throws(() => r.addReader(new FdDescriptor(-1)), RangeError);
    });
  });
}
