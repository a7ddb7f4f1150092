import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { after, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { loadIoUring } from "../../../reactor/ffi/io_uring.ts";
import { IoUringParker } from "../../../reactor/ffi/io_uring_parker.ts";
import { IO_URING_PARAMS_SIZE } from "../../../reactor/ffi/io_uring_structs.ts";
import {
  constants as C,
  createParker,
  libc,
  type Parker,
  type ParkerKind,
} from "../../../reactor/ffi/mod.ts";
import { isDeno, runtimeArgs } from "../../_runtime.ts";

const L = libc();
const opened: number[] = [];
const X = new Uint8Array([1]);

function pipe(): [number, number] {
  const fds = new Int32Array(2);
  assert.equal(L.pipe2(fds, C.O_NONBLOCK | C.O_CLOEXEC), 0);
  opened.push(fds[0], fds[1]);
  return [fds[0], fds[1]];
}

after(() => {
  for (const fd of opened.splice(0)) L.close(fd);
});

/** Resolve to "timeout" if `p` has not settled within `ms`. */
function within<T>(p: Promise<T>, ms: number): Promise<T | "timeout"> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const t = new Promise<"timeout">((r) => (timer = setTimeout(() => r("timeout"), ms)));
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

/** `n` parks on `r`, ended in turn by a byte written to `w` and by `wake()`: each must end. */
async function parkCycles(p: Parker, r: number, w: number, n: number): Promise<void> {
  const scratch = new Uint8Array(8);
  for (let i = 0; i < n; i++) {
    const parked = p.park(new Int32Array([r]));
    if (i % 2 === 0) L.write(w, X, 1);
    else p.wake();
    assert.equal(await within(parked, 5000), undefined, `park ${i} hung`);
    L.read(r, scratch, 8);
  }
}

function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

// Deno offers the nonblocking, Worker and io_uring parkers; Bun has no
// nonblocking FFI calls, and only Bun can adopt a foreign fd into its loop
// (`Bun.connect({ fd })`; Deno has no such API), so Bun runs the host-loop and
// Worker parkers (and needs no io_uring parker: it already parks on its loop).
// The iouring parker needs io_uring, which seccomp or `kernel.io_uring_disabled`
// can forbid: where it is missing its tests cannot run, and say so.
function ioUringHere(): boolean {
  const sys = loadIoUring();
  const fd = sys === null ? -1 : sys.setup(1, new Uint8Array(IO_URING_PARAMS_SIZE));
  if (fd >= 0) L.close(fd);
  return fd >= 0;
}
const withIoUring = isDeno && ioUringHere();
if (isDeno && !withIoUring) {
  console.warn("io_uring is not available on this machine: the iouring parker's tests are skipped");
}
const kinds: ParkerKind[] = isDeno
  ? ["nonblocking", "worker", ...(withIoUring ? ["iouring" as const] : [])]
  : ["hostloop", "worker"];

/** A parker of `kind`; an io_uring parker once its socket is connected, so that it parks through io_uring. */
async function ready(kind: ParkerKind): Promise<Parker> {
  const p = createParker(kind);
  if (p instanceof IoUringParker) assert.equal(await p.whenReady(), true, "io_uring parks in use");
  return p;
}

describe("createParker", () => {
  // SKEIN_PARKER picks the default (CI runs the reactor suites once more with SKEIN_PARKER=iouring).
  const fromEnv = process.env.SKEIN_PARKER;
  it(
    `defaults to ${
      fromEnv ? `SKEIN_PARKER=${fromEnv}` : isDeno
        ? "the nonblocking-FFI parker on Deno"
        : "the host-loop parker on Bun"
    }`,
    async () => {
      const p = createParker();
      const expected: Record<ParkerKind, string> = {
        nonblocking: "NonblockingParker",
        worker: "WorkerParker",
        hostloop: "HostLoopParker",
        iouring: "IoUringParker",
      };
      assert.equal(
        p.constructor.name,
        expected[(fromEnv as ParkerKind | undefined) ?? (isDeno ? "nonblocking" : "hostloop")],
      );
      p.close();
      await p.park(new Int32Array(0)); // a closed parker resolves at once
    },
  );

  it("refuses kinds this runtime cannot run, with a clear error", () => {
    assert.throws(() => createParker("bogus" as ParkerKind), /unknown parker "bogus"/);
    const saved = process.env.SKEIN_PARKER;
    process.env.SKEIN_PARKER = "bogus";
    try {
      assert.throws(() => createParker(), /SKEIN_PARKER="bogus" is not a parker; use one of/);
    } finally {
      if (saved === undefined) delete process.env.SKEIN_PARKER;
      else process.env.SKEIN_PARKER = saved;
    }
    if (!isDeno) {
      assert.throws(() => createParker("nonblocking"), /use WorkerParker/);
      assert.throws(() => createParker("iouring"), /needs Deno on Linux/);
    } else {
      assert.throws(() => createParker("hostloop"), /needs Bun on Linux; use WorkerParker/);
    }
  });
});

for (const kind of kinds) {
  describe(`${kind} parker`, () => {
    let parker: Parker;
    const fresh = async (): Promise<Parker> => (parker = await ready(kind));
    after(() => parker?.close());

    it("wakes when a watched fd becomes readable, while host timers keep running", async () => {
      const p = await fresh();
      const [r, w] = pipe();
      let ticks = 0;
      const iv = setInterval(() => ticks++, 5);
      setTimeout(() => L.write(w, X, 1), 80);
      const t0 = performance.now();
      try {
        assert.equal(await within(p.park(new Int32Array([r])), 5000), undefined);
      } finally {
        clearInterval(iv);
      }
      const dt = performance.now() - t0;
      assert.ok(dt >= 70, `woke after ${dt} ms, before the write`);
      assert.ok(ticks >= 3, `the host loop ran ${ticks} interval ticks during the park`);
      p.close();
    });

    it("resolves at once when an fd is already ready, and honours POLLOUT", async () => {
      const p = await fresh();
      const [r, w] = pipe();
      L.write(w, X, 1);
      assert.equal(await within(p.park(new Int32Array([r])), 2000), undefined);
      L.read(r, new Uint8Array(8), 8);
      // The write end of an empty pipe is writable.
      assert.equal(
        await within(p.park(new Int32Array([r, w]), new Int16Array([C.POLLIN, C.POLLOUT])), 2000),
        undefined,
      );
      p.close();
    });

    it("wakes on wake(), repeatedly, and the wake does not leak into the next park", async () => {
      const p = await fresh();
      const [r] = pipe();
      for (let i = 0; i < 3; i++) {
        const parked = p.park(new Int32Array([r]));
        setTimeout(() => p.wake(), 10);
        assert.equal(await within(parked, 5000), undefined);
      }
      p.wake(); // not parked: a no-op
      assert.equal(await within(p.park(new Int32Array([r])), 150), "timeout");
      p.close();
    });

    it("allows one outstanding park only", async () => {
      const p = await fresh();
      const [r] = pipe();
      const parked = p.park(new Int32Array([r]));
      assert.throws(() => p.park(new Int32Array([r])), /already outstanding/);
      assert.throws(() => p.park(new Int32Array([r]), new Int16Array(2)), /one entry per fd/);
      p.close();
      assert.equal(await within(parked, 5000), undefined, "close() resolves the pending park");
    });

    it("waits on many fds (a poll/select park set) and grows its buffers", async () => {
      const p = await fresh();
      const pipes = Array.from({ length: 100 }, () => pipe());
      const fds = new Int32Array(pipes.map(([r]) => r));
      setTimeout(() => L.write(pipes[97][1], X, 1), 20);
      assert.equal(await within(p.park(fds), 5000), undefined);
      p.close();
    });

    it("never loses a wake-up over 1500 rapid park/wake and park/write cycles", async () => {
      const p = await fresh();
      const [r, w] = pipe();
      const fds = new Int32Array([r]);
      const scratch = new Uint8Array(64);
      const deadline = performance.now() + 20000;
      for (let i = 0; i < 1500 && performance.now() < deadline; i++) {
        const parked = p.park(fds);
        switch (i % 3) {
          case 0:
            p.wake();
            break;
          case 1:
            L.write(w, X, 1);
            break;
          default:
            queueMicrotask(() => p.wake());
        }
        assert.equal(await within(parked, 5000), undefined, `cycle ${i} hung`);
        L.read(r, scratch, scratch.length);
      }
      // Nothing left over: the next park waits.
      assert.equal(await within(p.park(fds), 100), "timeout");
      p.close();
    });

    it("uses no CPU while idle (< 5% of a core over 400 ms)", async () => {
      const p = await fresh();
      const [r] = pipe();
      // Let a Worker start and JIT settle first.
      const warm = p.park(new Int32Array([r]));
      setTimeout(() => p.wake(), 20);
      await warm;
      const parked = p.park(new Int32Array([r]));
      const c0 = cpuMs();
      const t0 = performance.now();
      await new Promise((res) => setTimeout(res, 400));
      const cpu = cpuMs() - c0;
      const wall = performance.now() - t0;
      p.wake();
      await parked;
      p.close();
      assert.ok(cpu < 0.05 * wall, `used ${cpu.toFixed(1)} ms CPU in ${wall.toFixed(0)} ms`);
    });
  });

  if (kind === "hostloop" || kind === "iouring") {
    describe(`${kind} parker's epoll park set (${kind === "hostloop" ? "Bun" : "Deno"} only)`, () => {
      it("never takes data from a watched socket: it is still there after the wake", async () => {
        const p = await ready(kind);
        const pair = new Int32Array(2);
        assert.equal(L.socketpair(C.AF_UNIX, C.SOCK_STREAM | C.SOCK_NONBLOCK, 0, pair), 0);
        opened.push(pair[0], pair[1]);
        setTimeout(() => L.write(pair[1], new TextEncoder().encode("hello"), 5), 20);
        assert.equal(await within(p.park(new Int32Array([pair[0]])), 5000), undefined);
        const got = new Uint8Array(16);
        assert.equal(L.read(pair[0], got, 16), 5);
        assert.equal(new TextDecoder().decode(got.subarray(0, 5)), "hello");
        p.close();
      });

      it("follows sets of 10 and 80 fds, switching between them and refilled in place", async () => {
        const p = await ready(kind);
        const small = Array.from({ length: 10 }, () => pipe());
        const fds = new Int32Array(small.map(([r]) => r));
        for (const k of [3, 7]) {
          setTimeout(() => L.write(small[k][1], X, 1), 20);
          assert.equal(await within(p.park(fds), 5000), undefined, `pipe ${k}`);
          L.read(small[k][0], new Uint8Array(8), 8);
        }
        const big = Array.from({ length: 80 }, () => pipe());
        const bigFds = new Int32Array(big.map(([r]) => r));
        const parked = p.park(bigFds);
        assert.throws(() => p.park(fds), /already outstanding/);
        setTimeout(() => L.write(big[79][1], X, 1), 20);
        assert.equal(await within(parked, 5000), undefined);
        L.read(big[79][0], new Uint8Array(8), 8);
        assert.equal(
          await within(p.park(fds), 100),
          "timeout",
          "back on the small set, nothing ready",
        );
        p.wake();
        // The same array refilled in place is a new set.
        const one = new Int32Array([small[0][0]]);
        assert.equal(await within(p.park(one), 100), "timeout");
        p.wake();
        one[0] = small[1][0];
        setTimeout(() => L.write(small[1][1], X, 1), 20);
        assert.equal(await within(p.park(one), 5000), undefined, "the refilled fd is watched");
        p.close();
      });

      it("follows a changing park set: a dropped fd no longer wakes it, a new one does", async () => {
        const p = await ready(kind);
        const [r1, w1] = pipe();
        const [r2, w2] = pipe();
        assert.equal(await within(p.park(new Int32Array([r1, r2])), 100), "timeout");
        p.wake();
        L.write(w1, X, 1); // r1 is ready, but no longer watched
        assert.equal(await within(p.park(new Int32Array([r2])), 100), "timeout");
        p.wake();
        setTimeout(() => L.write(w2, X, 1), 20);
        assert.equal(await within(p.park(new Int32Array([r2])), 5000), undefined);
        p.close();
      });
    });
  }

  if (kind === "hostloop") {
    describe("hostloop parker (Bun only: lends an epoll fd to Bun's own loop)", () => {
      it("leaks no fd over 300 parks ended by readiness, wake() and close()", async () => {
        const { readdirSync } = await import("node:fs");
        const count = (): number => readdirSync("/proc/self/fd").length;
        const [r, w] = pipe();
        const warm = createParker("hostloop");
        warm.close();
        await new Promise((res) => setTimeout(res, 20));
        const before = count();
        for (let round = 0; round < 3; round++) {
          const p = createParker("hostloop");
          await parkCycles(p, r, w, 100);
          const last = p.park(new Int32Array([r]));
          p.close();
          assert.equal(await within(last, 5000), undefined);
        }
        // Bun closes a terminated lent fd on its next loop turn.
        await new Promise((res) => setTimeout(res, 50));
        assert.equal(count(), before);
      });

      it("falls back to a Worker if Bun refuses the fd, or ends lends while nothing is ready", async () => {
        type Connect = (
          o: { fd: number; socket: { close(s: unknown): void; }; },
        ) => Promise<unknown>;
        const bun = (globalThis as unknown as { Bun: { connect: Connect; }; }).Bun;
        const real = bun.connect;
        const [r, w] = pipe();
        try {
          // A Bun whose connect throws: the first park ends at once, later ones use the Worker.
          bun.connect = () => {
            throw new Error("no foreign fds here");
          };
          let p = createParker("hostloop");
          assert.equal(await within(p.park(new Int32Array([r])), 2000), undefined);
          bun.connect = real;
          const waiting = p.park(new Int32Array([r]));
          assert.equal(await within(waiting, 150), "timeout", "waits for real readiness");
          p.wake();
          await waiting;
          setTimeout(() => L.write(w, X, 1), 20);
          assert.equal(await within(p.park(new Int32Array([r])), 5000), undefined);
          L.read(r, new Uint8Array(8), 8);
          p.close();
          // A Bun that closes the lent fd at once: three empty wakes, then the Worker.
          bun.connect = (o) => {
            L.close(o.fd);
            queueMicrotask(() => o.socket.close({}));
            return new Promise(() => {});
          };
          p = createParker("hostloop");
          for (let i = 0; i < 3; i++) {
            assert.equal(await within(p.park(new Int32Array([r])), 2000), undefined);
          }
          bun.connect = real;
          assert.equal(
            await within(p.park(new Int32Array([r])), 150),
            "timeout",
            "no busy loop after the fallback",
          );
          p.close();
        } finally {
          bun.connect = real;
        }
      });

      it("falls back to a Worker if Bun adopts the fd and never reports it", async () => {
        type Connect = (o: { fd: number; }) => Promise<unknown>;
        const bun = (globalThis as unknown as { Bun: { connect: Connect; }; }).Bun;
        const real = bun.connect;
        const [r, w] = pipe();
        const lent: number[] = [];
        try {
          // A Bun that takes the fd and stays silent however ready it is.
          bun.connect = (o) => {
            lent.push(o.fd);
            return Promise.resolve({ terminate: () => L.close(o.fd) });
          };
          const p = createParker("hostloop");
          L.write(w, X, 1);
          const t0 = performance.now();
          assert.equal(await within(p.park(new Int32Array([r])), 5000), undefined, "hung");
          const waited = performance.now() - t0;
          assert.ok(waited >= 900, `ended by the silence check, not at once (${waited} ms)`);
          assert.equal(lent.length, 1);
          // Later parks use the Worker: they end on readiness, and Bun is not asked again.
          assert.equal(await within(p.park(new Int32Array([r])), 2000), undefined);
          L.read(r, new Uint8Array(8), 8);
          const waiting = p.park(new Int32Array([r]));
          assert.equal(await within(waiting, 150), "timeout", "waits for real readiness");
          L.write(w, X, 1);
          assert.equal(await within(waiting, 5000), undefined);
          assert.equal(lent.length, 1);
          p.close();
        } finally {
          bun.connect = real;
        }
      });
    });
  }

  if (kind === "hostloop") {
    it("hostloop parker out of fds (EMFILE, subprocess under ulimit -n 64): parks end at once and wake-ups still arrive", () => {
      const fixture = fileURLToPath(new URL("./_park_fixture.ts", import.meta.url));
      const res = spawnSync("sh", [
        "-c",
        `ulimit -n 64 && exec '${process.execPath}' '${fixture}' hostloop starved`,
      ], {
        timeout: 15000,
        encoding: "utf8",
        env: { ...process.env, NO_COLOR: "1" },
      });
      assert.equal(res.error, undefined, `the process did not finish: ${res.error}`);
      assert.equal(res.status, 0, String(res.stderr));
      assert.match(String(res.stdout), /parked\nstarved parks 20 ok\nwoke on data\nresolved/);
    });
  }

  if (kind === "iouring") {
    describe("iouring parker (Deno on Linux: a poll linked to a send into Deno's own socket)", () => {
      const fixture = fileURLToPath(new URL("./_park_fixture.ts", import.meta.url));
      const runWith = (perms: string[]): ReturnType<typeof spawnSync> =>
        spawnSync(process.execPath, ["run", ...perms, fixture, "iouring", "ready"], {
          timeout: 15000,
          encoding: "utf8",
          stdio: ["ignore", "pipe", "pipe"],
          env: { ...process.env, NO_COLOR: "1" },
        });

      it("keeps parking through io_uring over 300 parks ended by readiness and wake()", async () => {
        const p = await ready("iouring") as IoUringParker;
        const [r, w] = pipe();
        await parkCycles(p, r, w, 300);
        assert.equal(p.usingIoUring, true, "no silent fallback");
        assert.equal(
          await within(p.park(new Int32Array([r])), 100),
          "timeout",
          "nothing left over",
        );
        p.close();
      });

      it("a poll that completed while nobody was parked does not end the next park early", async () => {
        const p = await ready("iouring");
        const [r, w] = pipe();
        const [r2] = pipe();
        const parked = p.park(new Int32Array([r]));
        p.wake(); // the poll stays armed, and so does the read of Deno's end
        await parked;
        // In one turn: the poll completes (its byte is on its way to that
        // read), its readiness is consumed, and the next park begins.
        L.write(w, X, 1);
        L.read(r, new Uint8Array(8), 8);
        assert.equal(await within(p.park(new Int32Array([r2])), 150), "timeout");
        p.close();
      });

      it("connects its socket over Unix or loopback TCP, as permissions allow", () => {
        let res = runWith([
          "--allow-ffi",
          "--allow-read=/tmp",
          "--allow-write=/tmp",
          "--allow-net",
        ]);
        assert.equal(res.status, 0, String(res.stderr));
        assert.match(String(res.stdout), /io_uring true\nwoke on data/);
        res = runWith(["--allow-ffi", "--allow-net=127.0.0.1"]);
        assert.equal(res.status, 0, String(res.stderr));
        assert.match(String(res.stdout), /io_uring true\nwoke on data/);
      });

      it("falls back to the nonblocking parker, without prompting, when it may not connect its socket", () => {
        const res = runWith(["--allow-ffi", "--allow-read=/tmp", "--allow-write=/tmp"]);
        assert.equal(res.status, 0, String(res.stderr));
        assert.match(String(res.stdout), /io_uring false\nwoke on data/);
      });
    });
  }

  describe(`${kind} parker and process exit (subprocess)`, () => {
    const fixture = fileURLToPath(new URL("./_park_fixture.ts", import.meta.url));
    const run = (mode: string, timeout: number): ReturnType<typeof spawnSync> =>
      spawnSync(
        process.execPath,
        runtimeArgs(fixture, [kind, mode]),
        { timeout, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } },
      );

    it("lets the process exit once close() is called while parked", () => {
      const t0 = performance.now();
      const res = run("close", 15000);
      const dt = performance.now() - t0;
      assert.equal(res.error, undefined, `the process did not exit: ${res.error}`);
      assert.equal(res.status, 0, String(res.stderr));
      assert.match(String(res.stdout), /parked\nresolved/);
      assert.ok(dt < 10000, `took ${dt} ms`);
    });

    // Only a Deno Worker cannot be unref'd; every other parker lets an idle process exit.
    const exitsIdle = !(isDeno && kind === "worker");
    it(
      exitsIdle
        ? "lets the process exit when idle, even unclosed"
        : "keeps Deno alive when idle and unclosed (Deno Workers cannot be unref'd; documented)",
      () => {
        const res = run("idle", exitsIdle ? 15000 : 2500);
        assert.match(String(res.stdout), /parked\nresolved/);
        if (exitsIdle) assert.equal(res.status, 0, String(res.stderr));
        else assert.equal(res.signal, "SIGTERM");
      },
    );

    it("keeps the process alive while parked and not closed", () => {
      const res = run("forever", 2500);
      assert.match(String(res.stdout), /parked/);
      assert.equal(res.signal, "SIGTERM", "still running when the timeout killed it");
    });
  });
}
