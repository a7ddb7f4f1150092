// A subprocess for mod_test.ts: reports what the FFI layer sees.
import { ffiAvailable, monotonicSeconds } from "../../../reactor/ffi/mod.ts";
import { availablePollers, createPoller, defaultPollerKind } from "../../../reactor/pollers/mod.ts";

let createError = "";
try {
  createPoller().close();
} catch (e) {
  createError = (e as Error).message;
}
const t0 = monotonicSeconds();
console.log(JSON.stringify({
  ffi: ffiAvailable(),
  pollers: availablePollers(),
  defaultKind: defaultPollerKind(),
  createError,
  clockOk: Number.isFinite(t0) && monotonicSeconds() >= t0,
}));
