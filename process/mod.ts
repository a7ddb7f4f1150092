/**
 * Running programs: Twisted's `twisted.internet.utils` process helpers
 * (`getProcessOutput`, `getProcessValue`, `getProcessOutputAndValue`) and
 * their errors. `reactor.spawnProcess` and `ProcessProtocol` (in
 * `./reactor` and `./protocols`) are the full interface.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { getProcessOutputAndValue } from "@skein/skein/process";
 * import { PosixReactor } from "@skein/skein/reactor";
 *
 * const reactor = new PosixReactor("poll");
 * const running = reactor.run();
 * const [out, , code] = await getProcessOutputAndValue("tr", ["a-z", "A-Z"], { reactor, stdinBytes: "shout" });
 * assert.equal(new TextDecoder().decode(out), "SHOUT");
 * assert.equal(code, 0);
 * reactor.stop();
 * await running;
 * ```
 *
 * @module
 */
export * from "./errors.ts";
export * from "./get_process_output.ts";
export * from "./standard_io.ts";
