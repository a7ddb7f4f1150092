/**
 * Host-loop coexistence: while the reactor serves file descriptors (a busy
 * ping-pong that never lets the poller go idle), `fetch` against a local
 * `node:http` server, a `setInterval` and promise continuations keep making
 * progress; and an idle reactor uses (almost) no CPU. The FFI reactors park
 * off-thread and yield a host turn after each dispatch; the host reactor is
 * the host loop.
 */

import assert from "node:assert/strict";
import http from "node:http";
import type { AddressInfo } from "node:net";
import process from "node:process";
import { describe, it } from "node:test";
import { close, FdDescriptor, readSome, socketpair, writeAll } from "./_fds.ts";
import { ALL_KINDS, FFI_KINDS, makePosix, runFor } from "./_reactor_kinds.ts";
import { make } from "./_reactor_kinds.ts";

async function withHttpServer<T>(fn: (url: string) => Promise<T>): Promise<T> {
  const server = http.createServer((_req, res) => res.end("ok"));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  try {
    return await fn(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
  } finally {
    server.closeAllConnections?.();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

for (const kind of FFI_KINDS) {
  describe(`host-loop coexistence on the ${kind} reactor`, () => {
    it("fetch, setInterval and promises progress while the reactor is busy with descriptors", async () => {
      await withHttpServer(async (url) => {
        const r = makePosix(kind);
        const [a, b] = socketpair();
        const ping = new FdDescriptor(a, "ping");
        const pong = new FdDescriptor(b, "pong");
        let roundTrips = 0;
        ping.onRead = (self) => {
          readSome(self.fd);
          roundTrips++;
          writeAll(self.fd, "p");
        };
        pong.onRead = (self) => {
          readSome(self.fd);
          writeAll(self.fd, "q");
        };
        r.addReader(ping);
        r.addReader(pong);

        let ticks = 0;
        let microtasks = 0;
        let fetches = 0;
        let fetching = true;
        const interval = setInterval(() => {
          ticks++;
          Promise.resolve().then(() => microtasks++);
        }, 5);
        const fetcher = (async (): Promise<void> => {
          while (fetching) {
            const res = await fetch(url);
            assert.equal(await res.text(), "ok");
            fetches++;
          }
        })();
        r.callWhenRunning(() => writeAll(a, "start"));
        r.callLater(0.6, () => r.stop());
        try {
          await runFor(r, 10000);
        } finally {
          fetching = false;
          clearInterval(interval);
          await fetcher;
        }
        r.removeAll();
        close(a);
        close(b);
        // Generous floors (the machine is shared): each must clearly progress.
        assert.ok(roundTrips > 200, `round trips: ${roundTrips}`);
        assert.ok(fetches >= 5, `fetches: ${fetches}`);
        assert.ok(ticks >= 20, `interval ticks: ${ticks}`);
        assert.equal(microtasks, ticks);
      });
    });
  });
}

for (const kind of ALL_KINDS) {
  describe(`idle CPU on the ${kind} reactor`, () => {
    it("an idle running reactor (a reader registered, nothing ready) uses almost no CPU", async () => {
      const r = make(kind);
      const pair = kind === "host" ? null : socketpair();
      if (pair) makePosixCast(r).addReader(new FdDescriptor(pair[0]));
      let cpu = { user: 0, system: 0 };
      let wall = 0;
      r.callLater(0.1, () => {
        const u0 = process.cpuUsage();
        const t0 = performance.now();
        r.callLater(1.0, () => {
          cpu = process.cpuUsage(u0);
          wall = performance.now() - t0;
          r.stop();
        });
      });
      await runFor(r, 10000);
      if (pair) {
        close(pair[0]);
        close(pair[1]);
      }
      const percent = ((cpu.user + cpu.system) / 1000 / wall) * 100;
      // The bench measures the real figure (< 1 %); here a loose bound that
      // still catches a spinning loop (which costs ~100 %).
      assert.ok(percent < 10, `idle CPU ${percent.toFixed(2)} %`);
    });
  });
}

function makePosixCast(r: ReturnType<typeof make>): { addReader(d: FdDescriptor): void; } {
  return r as unknown as { addReader(d: FdDescriptor): void; };
}
