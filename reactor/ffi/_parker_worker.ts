/**
 * The `WorkerParker`'s thread, as JavaScript source run from a `blob:` URL.
 * Inline plain JS on purpose: it needs no module graph, so it starts fast,
 * is never type-checked at spawn (`deno test` checks every TypeScript Worker
 * module, seconds per Worker under load), and keeps working when the package
 * is transpiled or bundled (no sibling file path to resolve). Internal.
 *
 * Protocol (an `Int32Array` over a SharedArrayBuffer): the JS thread writes
 * `NFDS`, bumps `REQ` and notifies; the worker runs one `poll(buf, NFDS, -1)`,
 * stores `REQ`'s value in `DONE` and notifies; a non-zero `QUIT` ends it.
 *
 * @module
 */

/**
 * Index of the request counter in the control words.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DONE, NFDS, QUIT, REQ } from "./_parker_worker.ts";
 *
 * // Four distinct slots of the control words shared with the Worker.
 * assert.equal(new Set([REQ, NFDS, DONE, QUIT]).size, 4);
 * assert.ok(REQ >= 0 && REQ < 4);
 * ```
 */
export const REQ = 0;
/**
 * Index of the number of pollfd entries.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DONE, NFDS, QUIT, REQ } from "./_parker_worker.ts";
 *
 * // Four distinct slots of the control words shared with the Worker.
 * assert.equal(new Set([REQ, NFDS, DONE, QUIT]).size, 4);
 * assert.ok(NFDS >= 0 && NFDS < 4);
 * ```
 */
export const NFDS = 1;
/**
 * Index of the completed-request counter.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DONE, NFDS, QUIT, REQ } from "./_parker_worker.ts";
 *
 * // Four distinct slots of the control words shared with the Worker.
 * assert.equal(new Set([REQ, NFDS, DONE, QUIT]).size, 4);
 * assert.ok(DONE >= 0 && DONE < 4);
 * ```
 */
export const DONE = 2;
/**
 * Index of the quit flag.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DONE, NFDS, QUIT, REQ } from "./_parker_worker.ts";
 *
 * // Four distinct slots of the control words shared with the Worker.
 * assert.equal(new Set([REQ, NFDS, DONE, QUIT]).size, 4);
 * assert.ok(QUIT >= 0 && QUIT < 4);
 * ```
 */
export const QUIT = 3;

/**
 * What the JS thread posts to start the worker.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { ParkerWorkerStart } from "./_parker_worker.ts";
 *
 * const start: ParkerWorkerStart = {
 *   ctrl: new Int32Array(new SharedArrayBuffer(16)),
 *   buf: new Uint8Array(new SharedArrayBuffer(64)),
 *   paths: ["libc.so.6"],
 * };
 * assert.equal(start.ctrl.length, 4);
 * ```
 */
export interface ParkerWorkerStart {
  /** The control words. */
  ctrl: Int32Array;
  /** The pollfd buffer (length-tracking over a growable SharedArrayBuffer). */
  buf: Uint8Array;
  /** Candidate paths of the C library. */
  paths: string[];
}

/**
 * The worker's source.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { PARKER_WORKER_SOURCE } from "./_parker_worker.ts";
 *
 * assert.match(PARKER_WORKER_SOURCE, /Atomics\.wait/);
 * ```
 */
export const PARKER_WORKER_SOURCE: string = `
"use strict";
const REQ = ${REQ}, NFDS = ${NFDS}, DONE = ${DONE}, QUIT = ${QUIT};
self.onmessage = async (e) => {
  self.onmessage = null;
  const { ctrl, buf, paths } = e.data;
  let poll = null;
  let lastError = null;
  if (typeof Deno !== "undefined") {
    for (const path of paths) {
      try {
        const lib = Deno.dlopen(path, {
          poll: { parameters: ["buffer", "usize", "i32"], result: "i32" },
        });
        const f = lib.symbols.poll;
        poll = (n) => f(buf, BigInt(n), -1);
        break;
      } catch (err) { lastError = err; }
    }
  } else {
    const ffi = await import("bun:ffi");
    for (const path of paths) {
      try {
        const lib = ffi.dlopen(path, { poll: { args: ["ptr", "usize", "i32"], returns: "i32" } });
        const f = lib.symbols.poll;
        poll = (n) => f(buf, n, -1);
        break;
      } catch (err) { lastError = err; }
    }
  }
  if (poll === null) throw lastError;
  let seen = 0; // REQ starts at 0: a request made before we started is seen at once
  for (;;) {
    Atomics.wait(ctrl, REQ, seen);
    if (Atomics.load(ctrl, QUIT) !== 0) break;
    seen = Atomics.load(ctrl, REQ);
    poll(ctrl[NFDS]);
    Atomics.store(ctrl, DONE, seen);
    Atomics.notify(ctrl, DONE);
  }
  self.close();
};
`;
