// A subprocess for mod_test.ts: reports what the FFI layer sees.
import { createParker, ffiAvailable, libc, monotonicSeconds } from "../../../reactor/ffi/mod.ts";
import { availablePollers, createPoller, defaultPollerKind } from "../../../reactor/pollers/mod.ts";

let createError = "";
try {
  createPoller().close();
} catch (e) {
  createError = (e as Error).message;
}
let libcError = "";
try {
  libc();
} catch (e) {
  libcError = (e as Error).message;
}
let parkerError = "";
try {
  createParker().close();
} catch (e) {
  parkerError = (e as Error).message;
}
const t0 = monotonicSeconds();
console.log(JSON.stringify({
  ffi: ffiAvailable(),
  pollers: availablePollers(),
  defaultKind: defaultPollerKind(),
  createError,
  libcError,
  parkerError,
  clockOk: Number.isFinite(t0) && monotonicSeconds() >= t0,
}));
