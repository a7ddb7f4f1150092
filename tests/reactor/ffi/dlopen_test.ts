import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  copyBytes,
  cString,
  dlopenLibrary,
  libc,
  libraryPaths,
  openFirst,
  pointerAddress,
  pointerOf,
  readCString,
} from "../../../reactor/ffi/mod.ts";

describe("dlopenLibrary: one shared library, Deno or Bun", () => {
  it("binds C functions under the caller's keys, with C names where they differ", () => {
    const lib = dlopenLibrary(libraryPaths(libc().os), {
      getpid: { parameters: [], result: "i32" },
      processId: { name: "getpid", parameters: [], result: "i32" },
      strlen: { parameters: ["buffer"], result: "usize" },
      strerror: { parameters: ["i32"], result: "pointer" },
    });
    try {
      assert.equal(lib.symbols.getpid(), libc().getpid());
      assert.equal(lib.symbols.processId(), libc().getpid());
      assert.equal(Number(lib.symbols.strlen(cString("héllo"))), 6);
      assert.equal(readCString(lib.symbols.strerror(2)), "No such file or directory");
      assert.ok(libraryPaths(libc().os).includes(lib.path));
    } finally {
      lib.close();
    }
  });

  it("a nonblocking symbol returns a promise on Deno and is null on Bun (no such call there)", async () => {
    const lib = dlopenLibrary(libraryPaths(libc().os), {
      getpid: { parameters: [], result: "i32" },
      getpidLater: { name: "getpid", parameters: [], result: "i32", nonblocking: true },
    });
    try {
      const later = lib.symbols.getpidLater;
      if (typeof Deno !== "undefined") {
        assert.notEqual(later, null);
        assert.equal(await later!(), libc().getpid());
      } else {
        assert.equal(later, null);
      }
    } finally {
      lib.close();
    }
  });

  it("only nonblocking symbols: bound on Deno; on Bun (which has no such call) a TypeError saying so", async () => {
    const open = () =>
      dlopenLibrary(libraryPaths(libc().os), {
        getpidLater: { name: "getpid", parameters: [], result: "i32", nonblocking: true },
      });
    if (typeof Deno !== "undefined") {
      const lib = open();
      assert.equal(await lib.symbols.getpidLater!(), libc().getpid());
      lib.close();
    } else {
      assert.throws(
        open,
        (e: unknown) =>
          e instanceof TypeError && /at least one symbol that is not nonblocking/.test(e.message),
      );
    }
  });

  it("names every candidate when none opens", () => {
    assert.throws(
      () =>
        dlopenLibrary(["libskein-missing-1.so", "libskein-missing-2.so"], {
          getpid: { parameters: [], result: "i32" },
        }),
      (e: unknown) =>
        e instanceof Error && e.message.includes("libskein-missing-1.so, libskein-missing-2.so")
        && e.cause instanceof Error,
    );
  });

  it("openFirst returns the first candidate that opens", () => {
    const tried: string[] = [];
    const got = openFirst(["a", "b", "c"], (name) => {
      tried.push(name);
      if (name === "a") throw new Error("no a");
      return name.toUpperCase();
    });
    assert.deepEqual(got, { value: "B", path: "b" });
    assert.deepEqual(tried, ["a", "b"]);
  });

  it("reads C strings and bytes through pointers, null-safe", () => {
    const text = cString("skein");
    const p = pointerOf(text);
    assert.equal(readCString(p), "skein");
    assert.deepEqual(copyBytes(p, 3), new TextEncoder().encode("ske"));
    assert.equal(pointerAddress(p), libc().address(text));
    assert.equal(readCString(null), null);
    assert.equal(copyBytes(null, 4).length, 0);
    assert.equal(pointerAddress(null), 0n);
  });
});
