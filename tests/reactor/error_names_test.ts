/**
 * The reactor errors' names (reactor/errors.ts): each error is named after
 * its class, as Twisted's exceptions print their class's name, and a
 * subclass declared elsewhere that sets no name of its own keeps its
 * parent's (as a class-field `name` would).
 */

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as errors from "../../reactor/errors.ts";

type ErrorClass = new(...args: unknown[]) => Error;

/** Arguments for the classes whose constructor needs some. */
const ARGS: Record<string, unknown[]> = {
  SystemCallError: ["recv", 104, "ECONNRESET"],
  CannotListenError: ["", 80, new Error("in use")],
  ProcessDone: [0],
  ProcessTerminated: [1, null, 256],
};

const classes: [string, ErrorClass][] = [];
for (const [name, value] of Object.entries(errors as Record<string, unknown>)) {
  if (typeof value === "function" && value.prototype instanceof Error) {
    classes.push([name, value as ErrorClass]);
  }
}

describe("reactor error names", () => {
  it("every error class of reactor/errors.ts names its errors after itself", () => {
    assert.ok(classes.length > 30, `${classes.length} classes`);
    for (const [exported, C] of classes) {
      if (exported === "TimeoutError") continue; // re-exported from deferred/errors.ts
      const e = new C(...(ARGS[exported] ?? []));
      assert.equal(e.name, exported);
      assert.ok(Object.keys(e).includes("name"), `${exported}: name is the error's own`);
      assert.equal(String(e).split(":")[0], exported);
      assert.equal(e.stack!.split(/[:\n]/)[0], exported);
    }
  });

  it("a subclass without a name of its own keeps its parent's; one with its own keeps that", () => {
    class Reset extends errors.ConnectionLost {}
    class Named extends errors.ConnectionLost {
      override name = "Named";
    }
    assert.equal(new Reset().name, "ConnectionLost");
    assert.equal(new Reset().message, errors.ConnectionLost.defaultMessage);
    assert.ok(new Reset() instanceof errors.ConnectionClosed);
    assert.equal(new Named().name, "Named");
  });
});
