// A subprocess for parker_test.ts: parks on a pipe nobody writes, then (with
// "close") closes the parker after 50 ms and must exit; with "forever" it must
// stay alive while parked; with "idle" the park ends (the pipe becomes
// readable) and the process, holding an idle unclosed parker, must exit; with
// "starved" (run under `ulimit -n 64`) it uses up every fd and keeps parking:
// each park must end (a short poll) rather than throw, and data must still
// end one.
// argv: <kind> <close|forever|idle|starved>.
import { constants as C, createParker, libc, type ParkerKind } from "../../../reactor/ffi/mod.ts";

const args: string[] = typeof Deno !== "undefined" ? Deno.args : process.argv.slice(2);
const kind = args[0] as ParkerKind;
const mode = args[1];
const L = libc();
const fds = new Int32Array(2);
L.pipe2(fds, C.O_NONBLOCK | C.O_CLOEXEC);
const parker = createParker(kind);
const watch = new Int32Array([fds[0]]);
const parked = parker.park(watch);
console.log("parked");
if (mode === "idle") {
  L.write(fds[1], new Uint8Array([1]), 1);
  await parked;
  console.log("resolved");
} else if (mode === "close") {
  setTimeout(() => parker.close(), 50);
  await parked;
  console.log("resolved");
} else if (mode === "starved") {
  parker.wake();
  await parked;
  const held: number[] = [];
  for (;;) {
    const fd = L.fcntl(fds[0], C.F_DUPFD_CLOEXEC, 0);
    if (fd < 0) break;
    held.push(fd);
  }
  for (let i = 0; i < 20; i++) await parker.park(watch);
  console.log("starved parks 20 ok");
  setTimeout(() => L.write(fds[1], new Uint8Array([1]), 1), 5);
  const pfd = new Uint8Array(8);
  const v = new DataView(pfd.buffer);
  for (;;) {
    await parker.park(watch);
    v.setInt32(0, fds[0], true);
    v.setInt16(4, C.POLLIN, true);
    if (L.poll(pfd, 1, 0) > 0) break;
  }
  console.log("woke on data");
  for (const fd of held) L.close(fd);
  parker.close();
  console.log("resolved");
}
