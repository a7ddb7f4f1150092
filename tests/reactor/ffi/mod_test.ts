import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { isDeno, runtimeArgs } from "../../_runtime.ts";

const fixture = fileURLToPath(new URL("./_avail_fixture.ts", import.meta.url));

function probe(denoFlags: string[]): Record<string, unknown> {
  const res = spawnSync(
    process.execPath,
    runtimeArgs(fixture, [], ["--no-prompt", ...denoFlags]),
    { encoding: "utf8", timeout: 30000, env: { ...process.env, NO_COLOR: "1" } },
  );
  assert.equal(res.status, 0, String(res.stderr));
  return JSON.parse(String(res.stdout).trim().split("\n").at(-1)!);
}

describe("ffiAvailable and the poller choice (subprocess)", () => {
  it(
    isDeno
      ? "Deno without --allow-ffi: no FFI, no pollers, a clear error, and a working clock"
      : "Bun has no permission model: FFI is always available (the Deno case needs a flag Bun lacks)",
    () => {
      const r = probe(["--allow-read", "--allow-env"]);
      if (isDeno) {
        assert.deepEqual(r, {
          ffi: false,
          pollers: [],
          defaultKind: null,
          createError: r.createError,
          libcError:
            "FFI is not permitted: run Deno with --allow-ffi (or -A), or use the host reactor",
          parkerError: r.libcError,
          clockOk: true,
        });
        assert.match(String(r.createError), /--allow-ffi.*host reactor/);
      } else {
        assert.equal(r.ffi, true);
        assert.equal(r.defaultKind, "epoll");
      }
    },
  );

  it("with FFI: epoll first on Linux", () => {
    const r = probe(["-A"]);
    assert.deepEqual(r, {
      ffi: true,
      pollers: ["epoll", "poll", "select"],
      defaultKind: "epoll",
      createError: "",
      libcError: "",
      parkerError: "",
      clockOk: true,
    });
  });
});
