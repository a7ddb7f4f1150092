// A subprocess for parker_test.ts: parks on a pipe nobody writes, then (with
// "close") closes the parker after 50 ms and must exit; with "forever" it must
// stay alive while parked; with "idle" the park ends (the pipe becomes
// readable) and the process, holding an idle unclosed parker, must exit; with
// "close-epoll" it parks inside a nonblocking epoll_wait (`parkEpoll`, Deno)
// on an epoll fd holding the pipe, closes the parker after 50 ms and must exit.
// argv: <kind> <close|forever|idle|close-epoll>.
import {
  constants as C,
  createParker,
  libc,
  type ParkerKind,
  writeEpollEvent,
} from "../../../reactor/ffi/mod.ts";

const args: string[] = typeof Deno !== "undefined" ? Deno.args : process.argv.slice(2);
const kind = args[0] as ParkerKind;
const mode = args[1];
const L = libc();
const fds = new Int32Array(2);
L.pipe2(fds, C.O_NONBLOCK | C.O_CLOEXEC);
const parker = createParker(kind);

let parked: Promise<unknown>;
if (mode === "close-epoll") {
  const ep = L.epoll_create1!(C.EPOLL_CLOEXEC);
  const ev = new Uint8Array(16);
  writeEpollEvent(ev, 0, C.EPOLLIN, fds[0]);
  L.epoll_ctl!(ep, C.EPOLL_CTL_ADD, fds[0], ev);
  parked = parker.parkEpoll!(ep, new Uint8Array(16 * 8), 8);
} else {
  parked = parker.park(new Int32Array([fds[0]]));
}
console.log("parked");
if (mode === "idle") {
  L.write(fds[1], new Uint8Array([1]), 1);
  await parked;
  console.log("resolved");
} else if (mode === "close" || mode === "close-epoll") {
  setTimeout(() => parker.close(), 50);
  const n = await parked;
  console.log(mode === "close" ? "resolved" : `resolved ${n}`);
}
