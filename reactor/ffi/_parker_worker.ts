/**
 * The `WorkerParker`'s thread: blocks in `poll(2)` on request and reports
 * through `Atomics.notify`. Internal.
 *
 * @module
 */

import { loadLibc } from "./libc.ts";

const REQ = 0;
const NFDS = 1;
const DONE = 2;
const QUIT = 3;

interface Start {
  ctrl: Int32Array;
  buf: Uint8Array;
}

const scope = globalThis as unknown as {
  onmessage: ((e: MessageEvent<Start>) => void) | null;
  close?: () => void;
};

scope.onmessage = (e: MessageEvent<Start>): void => {
  scope.onmessage = null;
  const { ctrl, buf } = e.data;
  const lib = loadLibc().libc;
  let seen = 0; // REQ starts at 0; a request made before we started is seen at once
  for (;;) {
    Atomics.wait(ctrl, REQ, seen);
    if (Atomics.load(ctrl, QUIT) !== 0) break;
    seen = Atomics.load(ctrl, REQ);
    lib.poll(buf, ctrl[NFDS], -1);
    Atomics.store(ctrl, DONE, seen);
    Atomics.notify(ctrl, DONE);
  }
  scope.close?.();
};
