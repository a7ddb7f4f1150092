// spawnProcess's uid and gid on every reactor kind (Twisted's switchUID: the
// child runs as that user and group; an omitted one is ours). As root: `id`
// in the child prints the ids asked for, and on the FFI reactor the child
// keeps no way back (saved ids and capabilities dropped) and has the user's
// groups, while this thread is root again afterwards. Not as root: asking
// for another user fails at the call with EPERM saying it needs root — run
// for real: as root, with this thread switched to nobody (as spawnProcess
// itself switches it), otherwise as we are. Bad ids are TypeErrors. Linux only
// (/proc, and the FFI reactor switches per-thread credentials on Linux).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import process from "node:process";
import { describe, it } from "node:test";
import type { IReactorProcess, SpawnProcessOptions } from "../../interfaces.ts";
import { ProcessDone, SystemCallError } from "../../reactor/errors.ts";
import { libc } from "../../reactor/ffi/mod.ts";
import { withCredentials } from "../../reactor/ffi/spawn_credentials.ts";
import type { Reactor } from "../../reactor/install.ts";
import { KINDS, withReactor } from "./_helpers.ts";
import { Collecting } from "./_process_helpers.ts";

const NOBODY = 65534;
const isRoot = process.geteuid?.() === 0;

function spawn(
  r: Reactor,
  p: Collecting,
  args: string[],
  options: SpawnProcessOptions = {},
): void {
  (r as unknown as IReactorProcess).spawnProcess(p, args[0], args, options);
}

async function run(
  r: Reactor,
  args: string[],
  options: SpawnProcessOptions = {},
): Promise<string> {
  const p = new Collecting();
  spawn(r, p, args, options);
  const reason = await p.ended;
  assert.ok(reason.check(ProcessDone), `${args.join(" ")}: ${reason.getErrorMessage()}\n${p.out}`);
  return p.out;
}

/** `Uid:`, `Gid:`, `Groups:`, `CapPrm:` … of a /proc status file. */
function status(text: string): Map<string, string> {
  return new Map(
    text.split("\n").filter((l) => l.includes(":")).map((l) => {
      const at = l.indexOf(":");
      return [l.slice(0, at), l.slice(at + 1).trim().replace(/\s+/g, " ")];
    }),
  );
}

for (const kind of libc().os === "linux" ? KINDS : []) {
  describe(`spawnProcess uid and gid on ${kind}`, () => {
    if (isRoot) {
      it("as root: the child runs as the uid and gid asked for; an omitted one is ours (Twisted's switchUID)", () =>
        withReactor(kind, async (r) => {
          const ids = ["sh", "-c", "id -u; id -g"];
          assert.equal(await run(r, ids, { uid: NOBODY, gid: NOBODY }), `${NOBODY}\n${NOBODY}\n`);
          assert.equal(await run(r, ids, { uid: NOBODY }), `${NOBODY}\n0\n`);
          assert.equal(await run(r, ids, { gid: 100 }), "0\n100\n");
          assert.equal(await run(r, ids), "0\n0\n");
          const child = status(
            await run(r, ["cat", "/proc/self/status"], { uid: NOBODY, gid: NOBODY }),
          );
          // Real, effective, saved and filesystem ids all nobody: no way back to root.
          assert.equal(child.get("Uid"), `${NOBODY} ${NOBODY} ${NOBODY} ${NOBODY}`);
          assert.equal(child.get("Gid"), `${NOBODY} ${NOBODY} ${NOBODY} ${NOBODY}`);
          assert.equal(child.get("CapPrm"), "0000000000000000");
          assert.equal(child.get("CapEff"), "0000000000000000");
          if (kind !== "host") {
            // initgroups: the gid and the user's groups (nobody has none more).
            assert.equal(child.get("Groups"), `${NOBODY}`);
          }
          // This thread (the one that started them) is root again.
          const self = status(readFileSync("/proc/thread-self/status", "utf8"));
          assert.equal(self.get("Uid"), "0 0 0 0");
          assert.equal(self.get("Gid"), "0 0 0 0");
          assert.notEqual(self.get("CapEff"), "0000000000000000");
        }));

      it("as nobody: asking for another user fails at the call with EPERM saying it needs root; our own ids work", () =>
        withReactor(kind, async (r) => {
          // This thread alone becomes nobody (the same switch spawnProcess makes
          // around posix_spawn): the check reads the thread's real ids, nothing mocked.
          const ownIds = withCredentials({ uid: NOBODY, gid: NOBODY, groups: [NOBODY] }, () => {
            assert.equal(process.geteuid!(), NOBODY);
            assert.throws(
              () => spawn(r, new Collecting(), ["true"], { uid: 0, gid: 0 }),
              (e: unknown) =>
                e instanceof SystemCallError && e.code === "EPERM"
                && /uid 0 gid 0 needs root, and this process runs as uid 65534 gid 65534; omit uid and gid/
                  .test(e.message),
            );
            const p = new Collecting();
            spawn(r, p, ["id", "-u"], { uid: NOBODY, gid: NOBODY });
            return p;
          });
          assert.equal(process.geteuid!(), 0, "this thread is root again");
          assert.ok((await ownIds.ended).check(ProcessDone));
          assert.equal(ownIds.out, `${NOBODY}\n`);
        }));
    } else {
      it("not as root: asking for another user fails at the call with EPERM saying it needs root", () =>
        withReactor(kind, (r) => {
          assert.throws(
            () =>
              (r as unknown as IReactorProcess).spawnProcess(new Collecting(), "true", ["true"], {
                uid: 0,
              }),
            (e: unknown) =>
              e instanceof SystemCallError && e.code === "EPERM" && /needs root/.test(e.message),
          );
          return Promise.resolve();
        }));
    }

    it("bad ids are TypeErrors naming the option", () =>
      withReactor(kind, (r) => {
        for (const [option, value] of [["uid", -1], ["gid", 1.5], ["uid", "0"]] as const) {
          assert.throws(
            () =>
              (r as unknown as IReactorProcess).spawnProcess(new Collecting(), "true", ["true"], {
                [option]: value as number,
              }),
            (e: unknown) =>
              e instanceof TypeError && e.message.startsWith(`spawnProcess: ${option} must be`),
          );
        }
        return Promise.resolve();
      }));
  });
}
