/**
 * The TLS errors' names (ssl/errors.ts): each error is named after its
 * class, as Twisted's exceptions print their class's name, and a subclass
 * declared elsewhere that sets no name of its own keeps its parent's.
 */

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as errors from "../../ssl/errors.ts";

type ErrorClass = new(...args: unknown[]) => Error;

/** Arguments for the classes whose constructor needs some. */
const ARGS: Record<string, unknown[]> = {
  TLSError: ["bad record mac"],
  TLSVerificationError: ["hostname mismatch"],
  TLSHandshakeTimeoutError: [5],
};

const classes: [string, ErrorClass][] = [];
for (const [name, value] of Object.entries(errors as Record<string, unknown>)) {
  if (typeof value === "function" && value.prototype instanceof Error) {
    classes.push([name, value as ErrorClass]);
  }
}

describe("TLS error names", () => {
  it("every error class of ssl/errors.ts names its errors after itself", () => {
    assert.deepEqual(classes.map(([name]) => name).sort(), [
      "TLSConfigurationError",
      "TLSError",
      "TLSHandshakeTimeoutError",
      "TLSTruncationError",
      "TLSVerificationError",
    ]);
    for (const [exported, C] of classes) {
      const e = new C(...(ARGS[exported] ?? []));
      assert.equal(e.name, exported);
      assert.ok(Object.keys(e).includes("name"), `${exported}: name is the error's own`);
      assert.equal(String(e).split(":")[0], exported);
    }
  });

  it("a subclass declared elsewhere keeps its parent's name", () => {
    class Mine extends errors.TLSVerificationError {}
    class Cut extends errors.TLSTruncationError {}
    class Config extends errors.TLSConfigurationError {}
    assert.equal(new Mine("expired").name, "TLSVerificationError");
    assert.equal(new Cut().name, "TLSTruncationError");
    assert.equal(new Config("bad PEM").name, "TLSConfigurationError");
  });

  it("a subclass that names itself keeps its own name", () => {
    class Named extends errors.TLSError {
      constructor() {
        super("named");
        this.name = "Named";
      }
    }
    assert.equal(new Named().name, "Named");
  });
});
