/**
 * KqueuePoller against a fake libc. We have no macOS or BSD machine, so these
 * tests pin only the struct packing and the change-list logic; the real
 * kqueue(2) behaviour is NOT exercised here.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { SystemCallError } from "../../../reactor/errors.ts";
import { constantsFor } from "../../../reactor/ffi/constants.ts";
import { errnoTable } from "../../../reactor/ffi/errno.ts";
import type { Libc } from "../../../reactor/ffi/mod.ts";
import {
  type Kevent,
  keventSize,
  readKevent,
  readTimespec,
  writeKevent,
} from "../../../reactor/ffi/poller_structs.ts";
import { KqueuePoller } from "../../../reactor/pollers/kqueue.ts";
import { ERROR, READ, WRITE } from "../../../reactor/pollers/poller.ts";

type OS = "darwin" | "freebsd";

/** The binding's kevent(2) signature, which the fake below implements. */
type KeventCall = NonNullable<Libc["kevent"]>;

interface Call {
  changes: Kevent[];
  nevents: number;
  timeout: number | null | "none";
}

/** A scripted kqueue: records change lists, returns queued events or errors. */
class FakeKqueue {
  readonly calls: Call[] = [];
  readonly closed: number[] = [];
  readonly queue: Kevent[][] = [];
  /** errno to fail the next kevent() call with, per call (undefined: succeed). */
  readonly failures: (number | undefined)[] = [];
  errnoValue = 0;
  constructor(readonly os: OS) {}

  libc(): Libc {
    const size = keventSize(this.os);
    // Typed as Libc's own kevent, so the fake cannot drift from the binding's signature.
    const kevent: KeventCall = (kq, changes, nchanges, events, nevents, timeout) => {
      assert.equal(kq, 7);
      const list: Kevent[] = [];
      for (let i = 0; i < nchanges; i++) list.push(readKevent(changes!, i, this.os));
      if (changes !== null) {
        // Every byte past the documented fields is zero (FreeBSD's ext[4]).
        for (let i = 0; i < nchanges; i++) {
          assert.ok(changes.subarray(i * size + 32, (i + 1) * size).every((b) => b === 0));
        }
      }
      this.calls.push({
        changes: list,
        nevents,
        timeout: events === null ? "none" : timeout === null ? null : readTimespec(timeout),
      });
      const fail = this.failures.shift();
      if (fail !== undefined) {
        this.errnoValue = fail;
        return -1;
      }
      if (events === null) return 0;
      const out = this.queue.shift() ?? [];
      out.forEach((ev, i) => writeKevent(events, i, ev, this.os));
      return out.length;
    };
    const fake = {
      os: this.os,
      arch: "aarch64",
      errno: () => this.errnoValue,
      kqueue: () => 7,
      close: (fd: number) => {
        this.closed.push(fd);
        return 0;
      },
      kevent,
    };
    return fake as unknown as Libc;
  }
}

function ev(ident: number, filter: number, flags = 0, fflags = 0, data = 0): Kevent {
  return { ident, filter, flags, fflags, data, udata: 0 };
}

for (const os of ["darwin", "freebsd"] as const) {
  const c = constantsFor(os);
  const E = errnoTable(os);

  describe(`KqueuePoller change lists and kevent packing, ${os} layout (fake libc: no ${os} machine here)`, () => {
    it("adds, re-adds idempotently, and deletes the READ/WRITE filters", () => {
      const k = new FakeKqueue(os);
      const p = new KqueuePoller({ libc: k.libc(), os });
      p.modify(5, READ);
      assert.deepEqual(k.calls.at(-1)!.changes, [ev(5, c.EVFILT_READ, c.EV_ADD)]);
      p.modify(5, READ | WRITE);
      assert.deepEqual(k.calls.at(-1)!.changes, [
        ev(5, c.EVFILT_READ, c.EV_ADD),
        ev(5, c.EVFILT_WRITE, c.EV_ADD),
      ]);
      const before = k.calls.length;
      p.modify(5, READ | WRITE);
      assert.equal(k.calls.length, before, "no syscall when nothing changes");
      p.modify(5, WRITE);
      assert.deepEqual(k.calls.at(-2)!.changes, [ev(5, c.EVFILT_READ, c.EV_DELETE)]);
      assert.deepEqual(k.calls.at(-1)!.changes, [ev(5, c.EVFILT_WRITE, c.EV_ADD)]);
      p.modify(5, 0);
      assert.deepEqual(k.calls.at(-1)!.changes, [ev(5, c.EVFILT_WRITE, c.EV_DELETE)]);
      assert.ok(k.calls.every((call) => call.nevents === 0));
    });

    it("ignores ENOENT/EBADF when deleting a filter the kernel already dropped", () => {
      const k = new FakeKqueue(os);
      const p = new KqueuePoller({ libc: k.libc(), os });
      p.modify(9, READ);
      k.failures.push(E.ENOENT);
      p.modify(9, 0);
      p.modify(9, READ);
      k.failures.push(E.EBADF);
      p.modify(9, 0);
    });

    it("throws a SystemCallError when adding a filter fails, and forgets the fd", () => {
      const k = new FakeKqueue(os);
      const p = new KqueuePoller({ libc: k.libc(), os });
      k.failures.push(E.EBADF);
      assert.throws(() => p.modify(11, READ), (e: unknown) => {
        assert.ok(e instanceof SystemCallError);
        assert.equal(e.code, "EBADF");
        assert.equal(e.syscall, "kevent");
        return true;
      });
      p.modify(11, READ); // retried from scratch
      assert.deepEqual(k.calls.at(-1)!.changes, [ev(11, c.EVFILT_READ, c.EV_ADD)]);
    });

    it("maps returned events to READ, WRITE and ERROR, within the fd's interest", () => {
      const k = new FakeKqueue(os);
      const p = new KqueuePoller({ libc: k.libc(), os, maxEvents: 8 });
      p.modify(5, READ | WRITE);
      p.modify(6, READ);
      p.modify(8, READ);
      k.queue.push([
        ev(5, c.EVFILT_READ, 0, 0, 10),
        ev(5, c.EVFILT_WRITE),
        ev(6, c.EVFILT_READ, c.EV_EOF, 0, 3), // EOF, no errno: a plain read (gets 0 later)
        ev(8, c.EVFILT_READ, c.EV_EOF, E.ECONNRESET), // EOF with an errno: lost
        ev(99, c.EVFILT_READ), // not watched any more: dropped
      ]);
      const got: [number, number][] = [];
      const n = p.poll(0, (fd, mask) => got.push([fd, mask]));
      assert.deepEqual(got, [[5, READ], [5, WRITE], [6, READ], [8, ERROR]]);
      assert.equal(n, 4);
      assert.equal(k.calls.at(-1)!.nevents, 8);
    });

    it("passes a zero timespec for poll(0), none for a negative timeout, and seconds+nanoseconds otherwise", () => {
      const k = new FakeKqueue(os);
      const p = new KqueuePoller({ libc: k.libc(), os });
      p.poll(0, () => {});
      assert.equal(k.calls.at(-1)!.timeout, 0);
      p.poll(-1, () => {});
      assert.equal(k.calls.at(-1)!.timeout, null);
      p.poll(1500, () => {});
      assert.equal(k.calls.at(-1)!.timeout, 1.5);
      p.poll(0.4, () => {}); // a fraction rounds up: waits rather than spins
      assert.equal(k.calls.at(-1)!.timeout, 0.001);
      p.poll(-7, () => {}); // any negative timeout means forever
      assert.equal(k.calls.at(-1)!.timeout, null);
      p.poll(1e12, () => {}); // clamped to the largest int of milliseconds
      assert.equal(k.calls.at(-1)!.timeout, 2147483.647);
    });

    it("counts EINTR as nothing ready and throws on other errors", () => {
      const k = new FakeKqueue(os);
      const p = new KqueuePoller({ libc: k.libc(), os });
      k.failures.push(E.EINTR);
      assert.equal(p.poll(0, () => assert.fail("no callback")), 0);
      k.failures.push(E.EBADF);
      assert.throws(() => p.poll(0, () => {}), SystemCallError);
    });

    it("parks on the kqueue fd and closes it once", () => {
      const k = new FakeKqueue(os);
      const p = new KqueuePoller({ libc: k.libc(), os });
      assert.deepEqual([...p.parkSet().fds], [7]);
      assert.deepEqual([...p.parkSet().events], [c.POLLIN]);
      p.close();
      p.close();
      assert.deepEqual(k.closed, [7]);
      assert.throws(() => p.modify(1, READ), /closed/);
    });
  });
}

describe("KqueuePoller on this Linux host", () => {
  it("refuses to start without kqueue in libc", () => {
    const lib = { os: "linux", kqueue: undefined } as unknown as Libc;
    assert.throws(() => new KqueuePoller({ libc: lib }), /only available on macOS and the BSDs/);
  });
});
