// spawnProcess's uid and gid on every reactor kind (Twisted's switchUID: the
// child runs as that user and group; an omitted one is ours). As root: `id`
// in the child prints the ids asked for, and on the FFI reactor the child
// keeps no way back (saved ids and capabilities dropped) and has the user's
// groups, while this thread is root again afterwards. Not as root: asking
// for another user fails at the call with EPERM saying it needs root — run
// for real, as user nobody, in a child started as nobody when the tests run
// as root (otherwise in this process). Bad ids are TypeErrors. Linux only
// (/proc, and the FFI reactor switches per-thread credentials on Linux).
import assert from "node:assert/strict";
import { chmodSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import type { IReactorProcess, SpawnProcessOptions } from "../../interfaces.ts";
import { ProcessDone, SystemCallError } from "../../reactor/errors.ts";
import { libc } from "../../reactor/ffi/mod.ts";
import type { Reactor } from "../../reactor/install.ts";
import { runtimeArgs } from "../_runtime.ts";
import { KINDS, withReactor } from "./_helpers.ts";
import { Collecting } from "./_process_helpers.ts";

const NOBODY = 65534;
const isRoot = process.geteuid?.() === 0;

async function run(
  r: Reactor,
  args: string[],
  options: SpawnProcessOptions = {},
): Promise<string> {
  const p = new Collecting();
  (r as unknown as IReactorProcess).spawnProcess(p, args[0], args, options);
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

const script = fileURLToPath(new URL("./process_credentials_child.ts", import.meta.url));

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

      it("as nobody: asking for another user fails at the call with EPERM saying it needs root", async () => {
        // A child started as nobody runs the check for real; Deno needs a cache it can write.
        const denoDir = mkdtempSync(join(tmpdir(), "skein-nobody-"));
        try {
          chmodSync(denoDir, 0o777);
          const out = await withReactor(
            kind,
            (r) =>
              run(r, [process.execPath, ...runtimeArgs(script, [kind])], {
                uid: NOBODY,
                gid: NOBODY,
                env: {
                  PATH: process.env.PATH ?? "/usr/bin:/bin",
                  DENO_DIR: denoDir,
                  HOME: denoDir,
                },
              }),
            30_000,
          );
          assert.match(
            out,
            /refused EPERM: .*uid 0 gid 0 needs root, and this process runs as uid 65534 gid 65534; omit uid and gid/,
          );
          assert.match(out, /own: 65534\n/);
        } finally {
          rmSync(denoDir, { recursive: true, force: true });
        }
      });
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
