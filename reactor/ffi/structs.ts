/**
 * C struct layouts, per OS and CPU, packed by hand into `Uint8Array`s, one
 * file per family: socket addresses (`sockaddr.ts`), the pollers' and
 * parkers' structs (`poller_structs.ts`: `epoll_event`, `pollfd`, `fd_set`,
 * `kevent`, `timespec`, `timeval`) and io_uring's (`io_uring_structs.ts`).
 * This module re-exports all three.
 *
 * @module
 */

export * from "./io_uring_structs.ts";
export * from "./poller_structs.ts";
export * from "./sockaddr.ts";
