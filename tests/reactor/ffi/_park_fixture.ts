// A subprocess for parker_test.ts: parks on a pipe nobody writes, then (with
// "close") closes the parker after 50 ms and must exit; with "forever" it must
// stay alive while parked; with "idle" the park ends (the pipe becomes
// readable) and the process, holding an idle unclosed parker, must exit; with
// "starved" (run under `ulimit -n 64`) it uses up every fd and keeps parking:
// each park must end (a short poll) rather than throw, and data must still
// end one.
// With "ready" (an io_uring parker) it prints whether parks go through
// io_uring, then must wake on data either way.
// argv: <kind> <close|forever|idle|starved|ready>.
import { constants as C, createParker, libc, type ParkerKind } from "../../../reactor/ffi/mod.ts";

const args: string[] = typeof Deno !== "undefined" ? Deno.args : process.argv.slice(2);
const kind = args[0] as ParkerKind;
const mode = args[1];
const L = libc();
const fds = new Int32Array(2);
L.pipe2(fds, C.O_NONBLOCK | C.O_CLOEXEC);
const parker = createParker(kind);
// An io_uring parker parks through its fallback until its socket is connected.
const ready = (parker as { whenReady?: () => Promise<boolean>; }).whenReady;
const viaIoUring = ready === undefined ? undefined : await ready.call(parker);
if (mode === "ready") {
  // Which way an io_uring parker parks under this process's permissions; it must park either way.
  console.log(`io_uring ${viaIoUring}`);
  setTimeout(() => L.write(fds[1], new Uint8Array([1]), 1), 20);
  await parker.park(new Int32Array([fds[0]]));
  console.log("woke on data");
  parker.close();
} else if (viaIoUring === false) {
  throw new Error("io_uring parks not in use");
}
const watch = new Int32Array([fds[0]]);
const parked = mode === "ready" ? Promise.resolve() : parker.park(watch);
if (mode !== "ready") console.log("parked");
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
