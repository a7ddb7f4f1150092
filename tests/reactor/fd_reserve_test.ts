// The process's fd reserve (reactor/_fd_reserve.ts; Twisted's
// _FileDescriptorReservation): placeholder fds a listening port gives back to
// the runtime when accepting runs out of fds. A refill is all or nothing: a
// partial one would hold the very last free fds and starve the runtime.
import assert from "node:assert/strict";
import process from "node:process";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { type FDOpener, FDReserve } from "../../reactor/_fd_reserve.ts";
import { runCommand, runtimeArgs } from "../_runtime.ts";

const SCRIPT = fileURLToPath(new URL("./_fd_script.ts", import.meta.url));

/** An opener that hands out `limit` fake fds, then fails; it records what is open. */
function fakeOpener(limit: number): FDOpener & { open_: Set<number>; } {
  let next = 100;
  const open_ = new Set<number>();
  return {
    open_,
    open(): number {
      if (open_.size >= limit) return -1;
      open_.add(next);
      return next++;
    },
    close(fd: number): void {
      assert.ok(open_.delete(fd), `closed fd ${fd} twice or never opened it`);
    },
  };
}

describe("fd reserve", () => {
  it("fills completely when fds are free, and release gives them all back", () => {
    const o = fakeOpener(100);
    const r = new FDReserve(8, o);
    assert.equal(r.fill(), true);
    assert.equal(r.held, 8);
    assert.equal(o.open_.size, 8);
    assert.equal(r.fill(), true, "a full reserve stays full");
    assert.equal(o.open_.size, 8);
    r.release();
    assert.equal(r.held, 0);
    assert.equal(o.open_.size, 0);
  });

  it("a refill that cannot get every fd keeps none (all or nothing)", () => {
    const o = fakeOpener(3);
    const r = new FDReserve(8, o);
    assert.equal(r.fill(), false);
    assert.equal(r.held, 0);
    assert.equal(o.open_.size, 0, "the fds it did get are closed again");
  });

  it("acquire/relinquish: the last listening port gives the reserve back", () => {
    const o = fakeOpener(100);
    const r = new FDReserve(4, o);
    r.acquire();
    r.acquire();
    assert.equal(r.users, 2);
    assert.equal(r.held, 4);
    r.relinquish();
    assert.equal(r.held, 4, "one port still listens");
    r.relinquish();
    assert.equal(r.held, 0);
    r.relinquish();
    assert.equal(r.users, 0, "an extra relinquish does not go negative");
  });

  it("with the fd table nearly full, a refill leaves the last free fds to the runtime", async () => {
    // A child under `ulimit -n 128` fills its fd table, frees 3 fds, and asks
    // an 8-fd reserve to fill: it must fail and hold none, so 3 opens succeed.
    const cmd = [process.execPath, ...runtimeArgs(SCRIPT, ["reserve"])]
      .map((a) => `'${a.replaceAll("'", "'\\''")}'`).join(" ");
    const r = await runCommand("bash", ["-c", `ulimit -n 128 && exec ${cmd}`]);
    assert.equal(r.code, 0, r.err);
    const line = r.out.trim().split("\n").at(-1)!;
    assert.deepEqual(JSON.parse(line), { full: false, held: 0, free: 3 });
  });
});
