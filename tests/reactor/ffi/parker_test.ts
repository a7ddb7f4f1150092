import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { after, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import {
  constants as C,
  createParker,
  libc,
  type Parker,
  type ParkerKind,
} from "../../../reactor/ffi/mod.ts";

const isDeno = typeof Deno !== "undefined";
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

function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

// Deno offers both parkers; Bun has no nonblocking FFI calls, so only the Worker one.
const kinds: ParkerKind[] = isDeno ? ["nonblocking", "worker"] : ["worker"];

describe("createParker", () => {
  it(`defaults to ${isDeno ? "the nonblocking-FFI parker on Deno" : "the Worker parker on Bun"}`, async () => {
    const p = createParker();
    assert.equal(p.constructor.name, isDeno ? "NonblockingParker" : "WorkerParker");
    p.close();
    await p.park(new Int32Array(0)); // a closed parker resolves at once
  });

  it("refuses kinds this runtime cannot run, with a clear error", () => {
    assert.throws(() => createParker("bogus" as ParkerKind), /unknown parker "bogus"/);
    if (!isDeno) assert.throws(() => createParker("nonblocking"), /use WorkerParker/);
    else assert.ok(isDeno, "Deno runs both kinds: nothing to refuse");
  });
});

for (const kind of kinds) {
  describe(`${kind} parker`, () => {
    let parker: Parker;
    const fresh = (): Parker => (parker = createParker(kind));
    after(() => parker?.close());

    it("wakes when a watched fd becomes readable, while host timers keep running", async () => {
      const p = fresh();
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
      const p = fresh();
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
      const p = fresh();
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
      const p = fresh();
      const [r] = pipe();
      const parked = p.park(new Int32Array([r]));
      assert.throws(() => p.park(new Int32Array([r])), /already outstanding/);
      assert.throws(() => p.park(new Int32Array([r]), new Int16Array(2)), /one entry per fd/);
      p.close();
      assert.equal(await within(parked, 5000), undefined, "close() resolves the pending park");
    });

    it("waits on many fds (a poll/select park set) and grows its buffers", async () => {
      const p = fresh();
      const pipes = Array.from({ length: 100 }, () => pipe());
      const fds = new Int32Array(pipes.map(([r]) => r));
      setTimeout(() => L.write(pipes[97][1], X, 1), 20);
      assert.equal(await within(p.park(fds), 5000), undefined);
      p.close();
    });

    it("never loses a wake-up over 1500 rapid park/wake and park/write cycles", async () => {
      const p = fresh();
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
      const p = fresh();
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

  describe(`${kind} parker and process exit (subprocess)`, () => {
    const fixture = fileURLToPath(new URL("./_park_fixture.ts", import.meta.url));
    const run = (mode: string, timeout: number): ReturnType<typeof spawnSync> =>
      spawnSync(
        process.execPath,
        isDeno ? ["run", "-A", fixture, kind, mode] : [fixture, kind, mode],
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

    const isDefault = kind === (isDeno ? "nonblocking" : "worker");
    it(
      isDefault
        ? "lets the process exit when idle, even unclosed"
        : "keeps Deno alive when idle and unclosed (Deno Workers cannot be unref'd; documented)",
      () => {
        const res = run("idle", isDefault ? 15000 : 2500);
        assert.match(String(res.stdout), /parked\nresolved/);
        if (isDefault) assert.equal(res.status, 0, String(res.stderr));
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
