import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { FileDescriptorOverrun } from "../../../reactor/errors.ts";
import { constants as C, libc } from "../../../reactor/ffi/mod.ts";
import type { Poller, PollerKind } from "../../../reactor/pollers/mod.ts";
import { ERROR, READ, WRITE } from "../../../reactor/pollers/mod.ts";
import { availablePollers, createPoller, defaultPollerKind } from "../../../reactor/pollers/mod.ts";
import { POLLER_KINDS, pollersFor } from "../../../reactor/pollers/mod.ts";

const L = libc();
const opened: number[] = [];

function socketpair(): [number, number] {
  const fds = new Int32Array(2);
  assert.equal(
    L.socketpair(C.AF_UNIX, C.SOCK_STREAM | C.SOCK_NONBLOCK | C.SOCK_CLOEXEC, 0, fds),
    0,
  );
  opened.push(fds[0], fds[1]);
  return [fds[0], fds[1]];
}

function pipe(): [number, number] {
  const fds = new Int32Array(2);
  assert.equal(L.pipe2(fds, C.O_NONBLOCK | C.O_CLOEXEC), 0);
  opened.push(fds[0], fds[1]);
  return [fds[0], fds[1]];
}

function close(fd: number): void {
  const i = opened.indexOf(fd);
  if (i !== -1) opened.splice(i, 1);
  L.close(fd);
}

/** poll(0) and collect fd → mask. */
function ready(poller: Poller, timeoutMs = 0): Map<number, number> {
  const got = new Map<number, number>();
  const n = poller.poll(timeoutMs, (fd, mask) => {
    assert.ok(!got.has(fd), `fd ${fd} reported twice`);
    got.set(fd, mask);
  });
  assert.equal(n, got.size, "poll() returns the number of reports");
  return got;
}

const X = new Uint8Array([120]);

/** Run `body` on a fresh poller of `kind`, closing the poller afterwards (also when `body` fails). */
function withPoller(kind: PollerKind, body: (p: Poller) => void): void {
  const p = createPoller(kind);
  try {
    body(p);
  } finally {
    p.close();
  }
}

after(() => {
  for (const fd of opened.splice(0)) L.close(fd);
});

describe("poller selection", () => {
  it("offers epoll, poll and select on Linux, epoll first", () => {
    assert.equal(L.os, "linux", "this suite runs on Linux");
    assert.deepEqual(availablePollers(), ["epoll", "poll", "select"]);
    assert.equal(defaultPollerKind(), "epoll");
    assert.equal(createPoller().kind, "epoll");
  });

  it("pollersFor is the one answer for every OS; availablePollers asks it for this one", () => {
    assert.deepEqual(pollersFor("linux"), ["epoll", "poll", "select"]);
    assert.deepEqual(pollersFor("darwin"), ["kqueue", "poll", "select"]);
    assert.deepEqual(pollersFor("freebsd"), ["kqueue", "poll", "select"]);
    assert.deepEqual(pollersFor(null), []);
    assert.deepEqual(availablePollers(), pollersFor(L.os));
    for (const os of ["linux", "darwin", "freebsd"] as const) {
      for (const k of pollersFor(os)) assert.ok(POLLER_KINDS.includes(k), `${k} is a known kind`);
    }
  });

  it("rejects kqueue here and unknown kinds with clear errors", () => {
    assert.throws(() => createPoller("kqueue"), /kqueue poller is not available/);
    assert.throws(() => createPoller("bogus" as PollerKind), /unknown poller "bogus"/);
  });
});

for (const kind of availablePollers()) {
  describe(`${kind} poller`, () => {
    it("reports nothing for an idle fd and READ once data arrives", () =>
      withPoller(kind, (p) => {
        const [a, b] = socketpair();
        p.modify(a, READ);
        assert.equal(ready(p).size, 0);
        L.write(b, X, 1);
        assert.deepEqual([...ready(p)], [[a, READ]]);
        // Level-triggered: still readable until drained.
        assert.deepEqual([...ready(p)], [[a, READ]]);
        L.read(a, new Uint8Array(8), 8);
        assert.equal(ready(p).size, 0);
      }));

    it("reports WRITE, and READ|WRITE together for one fd", () =>
      withPoller(kind, (p) => {
        const [a, b] = socketpair();
        p.modify(a, WRITE);
        assert.deepEqual([...ready(p)], [[a, WRITE]]);
        L.write(b, X, 1);
        p.modify(a, READ | WRITE);
        assert.deepEqual([...ready(p)], [[a, READ | WRITE]]);
      }));

    it("modify changes and removes interest", () =>
      withPoller(kind, (p) => {
        const [a, b] = socketpair();
        L.write(b, X, 1);
        p.modify(a, READ | WRITE);
        p.modify(a, WRITE);
        assert.deepEqual([...ready(p)], [[a, WRITE]]);
        p.modify(a, READ);
        assert.deepEqual([...ready(p)], [[a, READ]]);
        p.modify(a, 0);
        assert.equal(ready(p).size, 0);
        p.modify(a, 0); // removing twice is harmless
        p.modify(b, WRITE);
        p.modify(a, READ); // re-add after removal
        assert.deepEqual(new Set(ready(p)), new Set([[a, READ], [b, WRITE]]));
      }));

    it("watches many fds and keeps them apart", () =>
      withPoller(kind, (p) => {
        const pairs = Array.from({ length: 100 }, () => socketpair());
        for (const [a] of pairs) p.modify(a, READ);
        const hot = [3, 50, 99];
        for (const i of hot) L.write(pairs[i][1], X, 1);
        assert.deepEqual(
          [...ready(p).keys()].sort((x, y) => x - y),
          hot.map((i) => pairs[i][0]).sort((x, y) => x - y),
        );
        // Removing from the middle keeps the rest intact (PollPoller swaps).
        for (let i = 0; i < 100; i += 2) p.modify(pairs[i][0], 0);
        assert.deepEqual(
          [...ready(p).keys()].sort((x, y) => x - y),
          [pairs[3][0], pairs[99][0]].sort((x, y) => x - y),
        );
        for (const [a, b] of pairs) {
          close(a);
          close(b);
        }
      }));

    it("reports a hang-up: the peer closed (READ, plus ERROR where the kernel says HUP)", () =>
      withPoller(kind, (p) => {
        const [a, b] = socketpair();
        p.modify(a, READ);
        close(b);
        const got = ready(p);
        assert.equal(got.size, 1);
        const mask = got.get(a)!;
        assert.ok((mask & READ) !== 0, "readable: recv returns 0");
        if (kind !== "select") assert.ok((mask & ERROR) !== 0, "HUP maps to ERROR");
        assert.equal(L.recv(a, new Uint8Array(8), 8, 0), 0);
      }));

    it("reports an error: writing end of a pipe whose reader is gone", () =>
      withPoller(kind, (p) => {
        const [r, w] = pipe();
        p.modify(w, WRITE);
        close(r);
        const mask = ready(p).get(w);
        assert.ok(mask !== undefined);
        // poll/epoll: POLLERR → ERROR; select reports the error as writability.
        assert.ok((mask & (kind === "select" ? WRITE : ERROR)) !== 0, `mask ${mask}`);
        assert.equal(L.write(w, X, 1), -1);
        assert.equal(L.errno(), 32 /* EPIPE */);
      }));

    it("does not report an fd whose interest a callback removed in the same batch", () =>
      withPoller(kind, (p) => {
        const [a, b] = socketpair();
        const [c, d] = socketpair();
        L.write(b, X, 1);
        L.write(d, X, 1);
        p.modify(a, READ);
        p.modify(c, READ);
        const seen: number[] = [];
        const n = p.poll(0, (fd) => {
          seen.push(fd);
          p.modify(fd === a ? c : a, 0);
        });
        assert.equal(n, 1);
        assert.equal(seen.length, 1);
      }));

    it("blocks up to the timeout when nothing is ready", () =>
      withPoller(kind, (p) => {
        const [a] = socketpair();
        p.modify(a, READ);
        const t0 = performance.now();
        assert.equal(p.poll(30, () => {}), 0);
        const dt = performance.now() - t0;
        assert.ok(dt >= 25 && dt < 2000, `waited ${dt} ms`);
      }));

    it("gives the parker a set that wakes when poll(0) would find something", () =>
      withPoller(kind, (p) => {
        const [a, b] = socketpair();
        p.modify(a, READ);
        const set1 = p.parkSet();
        assert.equal(p.parkSet(), set1, "the same object while nothing changes");
        const pfd = new Uint8Array(8 * set1.fds.length);
        const v = new DataView(pfd.buffer);
        const probe = (): number => {
          const set = p.parkSet();
          set.fds.forEach((fd, i) => {
            v.setInt32(8 * i, fd, true);
            v.setInt16(8 * i + 4, set.events[i], true);
            v.setInt16(8 * i + 6, 0, true);
          });
          return L.poll(pfd, set.fds.length, 0);
        };
        assert.equal(probe(), 0);
        L.write(b, X, 1);
        assert.equal(probe(), 1);
        if (kind === "epoll") {
          assert.deepEqual([...set1.fds], [(p as unknown as { fileno: number; }).fileno]);
        } else {
          assert.deepEqual([...set1.fds], [a]);
          assert.deepEqual([...set1.events], [C.POLLIN]);
          p.modify(a, READ | WRITE);
          assert.notEqual(p.parkSet(), set1, "a new set after a change");
          assert.deepEqual([...p.parkSet().events], [C.POLLIN | C.POLLOUT]);
        }
      }));

    it("validates arguments and refuses use after close", () => {
      const p = createPoller(kind);
      assert.throws(() => p.modify(-1, READ), RangeError);
      assert.throws(() => p.modify(3, 8), RangeError);
      p.close();
      p.close();
      assert.throws(() => p.poll(0, () => {}), /closed/);
    });
  });
}

describe("select poller limits", () => {
  it("throws FileDescriptorOverrun at FD_SETSIZE, before touching any fd_set", () => {
    const p = createPoller("select");
    try {
      assert.throws(() => p.modify(C.FD_SETSIZE, READ), FileDescriptorOverrun);
      assert.throws(() => p.modify(C.FD_SETSIZE + 5000, WRITE), /FD_SETSIZE/);
      p.modify(C.FD_SETSIZE, 0); // removing an fd it never had is fine
      p.modify(C.FD_SETSIZE - 1, READ); // the last fd select can watch is accepted
      p.modify(C.FD_SETSIZE - 1, 0);
    } finally {
      p.close();
    }
  });

  it("reports an fd closed under it as ERROR instead of failing with EBADF", () => {
    const p = createPoller("select");
    try {
      const [a] = socketpair();
      const [c, d] = socketpair();
      p.modify(a, READ);
      p.modify(c, READ);
      close(d);
      close(a);
      const got = ready(p);
      assert.equal(got.get(a), ERROR);
      p.modify(a, 0);
      assert.deepEqual([...ready(p)], [[c, READ]]);
    } finally {
      p.close();
    }
  });
});

describe("epoll poller", () => {
  it("repairs a registration whose fd was closed and reused", () => {
    const p = createPoller("epoll");
    try {
      const [a, b] = socketpair();
      p.modify(a, READ);
      close(a);
      close(b);
      const [a2, b2] = socketpair(); // reuses the lowest free numbers
      assert.equal(a2, a);
      p.modify(a2, READ | WRITE); // MOD fails with ENOENT: falls back to ADD
      L.write(b2, X, 1);
      assert.deepEqual([...ready(p)], [[a2, READ | WRITE]]);
    } finally {
      p.close();
    }
  });
});
