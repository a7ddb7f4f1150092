// A subprocess for parker_test.ts: parks on a pipe nobody writes, then (with
// "close") closes the parker after 50 ms and must exit; with "forever" it must
// stay alive while parked; with "idle" the park ends (the pipe becomes
// readable) and the process, holding an idle unclosed parker, must exit.
// argv: <kind> <close|forever|idle>.
import { constants as C, createParker, libc, type ParkerKind } from "../../../reactor/ffi/mod.ts";

const args: string[] = typeof Deno !== "undefined" ? Deno.args : process.argv.slice(2);
const kind = args[0] as ParkerKind;
const mode = args[1];
const fds = new Int32Array(2);
libc().pipe2(fds, C.O_NONBLOCK | C.O_CLOEXEC);
const parker = createParker(kind);
const parked = parker.park(new Int32Array([fds[0]]));
console.log("parked");
if (mode === "idle") {
  libc().write(fds[1], new Uint8Array([1]), 1);
  await parked;
  console.log("resolved");
} else if (mode === "close") {
  setTimeout(() => parker.close(), 50);
  await parked;
  console.log("resolved");
}
