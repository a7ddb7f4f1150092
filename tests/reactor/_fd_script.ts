/**
 * Child process for the fd-limit tests (fd_reserve_test.ts, the select
 * reactor's FD_SETSIZE test in tcp_test.ts): run under a lowered or raised
 * `ulimit -n`, it prints one JSON line with what it observed.
 *
 *   reserve   fill the fd table, free 3 fds, try an 8-fd FDReserve
 */

import process from "node:process";
import { FDReserve } from "../../reactor/_fd_reserve.ts";
import { constants as K } from "../../reactor/ffi/constants.ts";
import { libc } from "../../reactor/ffi/mod.ts";

const L = libc();
const placeholder = (): number => L.socket(K.AF_UNIX, K.SOCK_DGRAM | K.SOCK_CLOEXEC, 0);

function reserveCase(): void {
  const mine: number[] = [];
  for (;;) {
    const fd = placeholder();
    if (fd < 0) break;
    mine.push(fd);
  }
  // Three fds free: fewer than the reserve wants.
  for (let i = 0; i < 3; i++) L.close(mine.pop()!);
  const reserve = new FDReserve(8);
  const full = reserve.fill();
  const held = reserve.held;
  // What the runtime (here: us) can still open after the attempt.
  let free = 0;
  for (let i = 0; i < 3; i++) {
    const fd = placeholder();
    if (fd < 0) break;
    free++;
    mine.push(fd);
  }
  for (const fd of mine) L.close(fd);
  reserve.release();
  console.log(JSON.stringify({ full, held, free }));
}

const which = process.argv[2];
if (which === "reserve") reserveCase();
else throw new Error(`unknown case ${which}`);
