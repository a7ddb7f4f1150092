/**
 * Per-OS constants of the socket, fcntl, poll, epoll, eventfd and kqueue APIs,
 * for Linux, macOS (darwin) and FreeBSD. A flag the OS lacks is 0, so OR-ing it
 * in is harmless; `SOCK_NONBLOCK`/`SOCK_CLOEXEC` on macOS are values the
 * `socket`/`socketpair`/`accept4` wrappers of `libc()` strip and emulate with
 * `fcntl`.
 *
 * @module
 */

import { TABLE_OS } from "./_platform.ts";
import type { OSName } from "./types.ts";

/**
 * The constants of one OS. Values come from the system headers of Linux
 * (x86-64 and aarch64 share them), macOS and FreeBSD.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type Constants, constantsFor } from "./mod.ts";
 *
 * const linux: Constants = constantsFor("linux");
 * assert.equal(linux.AF_INET6, 10);
 * assert.equal(linux.FD_SETSIZE, 1024);
 * ```
 */
export interface Constants {
  /** The OS these values belong to. */
  readonly os: OSName;
  /** `FD_SETSIZE`: the first fd `select(2)` cannot watch. */
  readonly FD_SETSIZE: number;
  /** `SOMAXCONN`: the default listen backlog. */
  readonly SOMAXCONN: number;

  /** Address family: unspecified. */
  readonly AF_UNSPEC: number;
  /** Address family: Unix domain sockets. */
  readonly AF_UNIX: number;
  /** Address family: IPv4. */
  readonly AF_INET: number;
  /** Address family: IPv6. */
  readonly AF_INET6: number;

  /** Socket type: stream. */
  readonly SOCK_STREAM: number;
  /** Socket type: datagram. */
  readonly SOCK_DGRAM: number;
  /** Socket type: sequenced packets. */
  readonly SOCK_SEQPACKET: number;
  /** `socket`/`accept4` flag: non-blocking (emulated on macOS). */
  readonly SOCK_NONBLOCK: number;
  /** `socket`/`accept4` flag: close-on-exec (emulated on macOS). */
  readonly SOCK_CLOEXEC: number;

  /** `setsockopt` level: the socket itself. */
  readonly SOL_SOCKET: number;
  /** Socket option: allow reusing a local address. */
  readonly SO_REUSEADDR: number;
  /** Socket option: allow several sockets on one port. */
  readonly SO_REUSEPORT: number;
  /** Socket option: read and clear the pending error (after a non-blocking connect). */
  readonly SO_ERROR: number;
  /** Socket option: TCP keep-alive. */
  readonly SO_KEEPALIVE: number;
  /** Socket option: allow broadcast datagrams. */
  readonly SO_BROADCAST: number;
  /** Socket option: receive buffer size. */
  readonly SO_RCVBUF: number;
  /** Socket option: send buffer size. */
  readonly SO_SNDBUF: number;
  /** Socket option: the socket type (read-only). */
  readonly SO_TYPE: number;
  /** Socket option: linger on close. */
  readonly SO_LINGER: number;
  /** Socket option: no SIGPIPE on this socket (macOS/FreeBSD; 0 on Linux, use `MSG_NOSIGNAL`). */
  readonly SO_NOSIGPIPE: number;

  /** Protocol level: IPv4. */
  readonly IPPROTO_IP: number;
  /** Protocol level: IPv6. */
  readonly IPPROTO_IPV6: number;
  /** Protocol level: TCP. */
  readonly IPPROTO_TCP: number;
  /** Protocol level: UDP. */
  readonly IPPROTO_UDP: number;
  /** TCP option: disable Nagle's algorithm. */
  readonly TCP_NODELAY: number;
  /** IPv6 option: IPv6 only, no IPv4-mapped traffic. */
  readonly IPV6_V6ONLY: number;
  /** IPv4 option: time to live. */
  readonly IP_TTL: number;
  /** IPv4 option: outgoing multicast interface. */
  readonly IP_MULTICAST_IF: number;
  /** IPv4 option: multicast time to live. */
  readonly IP_MULTICAST_TTL: number;
  /** IPv4 option: loop multicast back. */
  readonly IP_MULTICAST_LOOP: number;
  /** IPv4 option: join a multicast group (`struct ip_mreq`). */
  readonly IP_ADD_MEMBERSHIP: number;
  /** IPv4 option: leave a multicast group. */
  readonly IP_DROP_MEMBERSHIP: number;
  /** IPv6 option: outgoing multicast interface. */
  readonly IPV6_MULTICAST_IF: number;
  /** IPv6 option: multicast hop limit. */
  readonly IPV6_MULTICAST_HOPS: number;
  /** IPv6 option: loop multicast back. */
  readonly IPV6_MULTICAST_LOOP: number;
  /** IPv6 option: join a multicast group (`struct ipv6_mreq`). */
  readonly IPV6_JOIN_GROUP: number;
  /** IPv6 option: leave a multicast group. */
  readonly IPV6_LEAVE_GROUP: number;

  /** `recv` flag: out-of-band data. */
  readonly MSG_OOB: number;
  /** `recv` flag: peek. */
  readonly MSG_PEEK: number;
  /** `recv`/`send` flag: do not block. */
  readonly MSG_DONTWAIT: number;
  /** `send` flag: no SIGPIPE (0 on macOS, which uses `SO_NOSIGPIPE`). */
  readonly MSG_NOSIGNAL: number;
  /** `recv` flag (out): the datagram was truncated. */
  readonly MSG_TRUNC: number;

  /** `shutdown`: no more reads. */
  readonly SHUT_RD: number;
  /** `shutdown`: no more writes. */
  readonly SHUT_WR: number;
  /** `shutdown`: both. */
  readonly SHUT_RDWR: number;

  /** File status flag: non-blocking. */
  readonly O_NONBLOCK: number;
  /** File flag: close-on-exec (for `pipe2`). */
  readonly O_CLOEXEC: number;
  /** `fcntl`: get fd flags. */
  readonly F_GETFD: number;
  /** `fcntl`: set fd flags. */
  readonly F_SETFD: number;
  /** `fcntl`: get file status flags. */
  readonly F_GETFL: number;
  /** `fcntl`: set file status flags. */
  readonly F_SETFL: number;
  /** fd flag: close-on-exec. */
  readonly FD_CLOEXEC: number;
  /** `fcntl`: duplicate an fd with close-on-exec set. */
  readonly F_DUPFD_CLOEXEC: number;

  /** `poll` event: readable. */
  readonly POLLIN: number;
  /** `poll` event: urgent data. */
  readonly POLLPRI: number;
  /** `poll` event: writable. */
  readonly POLLOUT: number;
  /** `poll` event: error. */
  readonly POLLERR: number;
  /** `poll` event: hang-up. */
  readonly POLLHUP: number;
  /** `poll` event: invalid fd. */
  readonly POLLNVAL: number;

  /** `epoll` event: readable (Linux; 0 elsewhere). */
  readonly EPOLLIN: number;
  /** `epoll` event: urgent data. */
  readonly EPOLLPRI: number;
  /** `epoll` event: writable. */
  readonly EPOLLOUT: number;
  /** `epoll` event: error. */
  readonly EPOLLERR: number;
  /** `epoll` event: hang-up. */
  readonly EPOLLHUP: number;
  /** `epoll` event: the peer shut down writing. */
  readonly EPOLLRDHUP: number;
  /** `epoll` flag: edge-triggered. */
  readonly EPOLLET: number;
  /** `epoll` flag: one-shot. */
  readonly EPOLLONESHOT: number;
  /** `epoll_create1` flag: close-on-exec. */
  readonly EPOLL_CLOEXEC: number;
  /** `epoll_ctl` op: add. */
  readonly EPOLL_CTL_ADD: number;
  /** `epoll_ctl` op: delete. */
  readonly EPOLL_CTL_DEL: number;
  /** `epoll_ctl` op: modify. */
  readonly EPOLL_CTL_MOD: number;

  /** `eventfd` flag: non-blocking (Linux/FreeBSD; 0 on macOS). */
  readonly EFD_NONBLOCK: number;
  /** `eventfd` flag: close-on-exec. */
  readonly EFD_CLOEXEC: number;
  /** `eventfd` flag: semaphore semantics. */
  readonly EFD_SEMAPHORE: number;

  /** kqueue filter: readable (macOS/FreeBSD; 0 on Linux). */
  readonly EVFILT_READ: number;
  /** kqueue filter: writable. */
  readonly EVFILT_WRITE: number;
  /** kqueue filter: user-triggered events. */
  readonly EVFILT_USER: number;
  /** kevent flag: add the filter. */
  readonly EV_ADD: number;
  /** kevent flag: delete the filter. */
  readonly EV_DELETE: number;
  /** kevent flag: enable. */
  readonly EV_ENABLE: number;
  /** kevent flag: disable. */
  readonly EV_DISABLE: number;
  /** kevent flag: one-shot. */
  readonly EV_ONESHOT: number;
  /** kevent flag: clear state after retrieval (edge-triggered). */
  readonly EV_CLEAR: number;
  /** kevent flag: return a receipt for each change. */
  readonly EV_RECEIPT: number;
  /** kevent flag (out): an error; `data` holds the errno. */
  readonly EV_ERROR: number;
  /** kevent flag (out): end of file. */
  readonly EV_EOF: number;
  /** `EVFILT_USER` fflag: trigger the event. */
  readonly NOTE_TRIGGER: number;

  /** Clock id: wall clock. */
  readonly CLOCK_REALTIME: number;
  /** Clock id: monotonic clock. */
  readonly CLOCK_MONOTONIC: number;
}

const POSIX_COMMON = {
  FD_SETSIZE: 1024,
  AF_UNSPEC: 0,
  AF_UNIX: 1,
  AF_INET: 2,
  SOCK_STREAM: 1,
  SOCK_DGRAM: 2,
  SOCK_SEQPACKET: 5,
  IPPROTO_IP: 0,
  IPPROTO_IPV6: 41,
  IPPROTO_TCP: 6,
  IPPROTO_UDP: 17,
  TCP_NODELAY: 1,
  MSG_OOB: 1,
  MSG_PEEK: 2,
  SHUT_RD: 0,
  SHUT_WR: 1,
  SHUT_RDWR: 2,
  F_GETFD: 1,
  F_SETFD: 2,
  F_GETFL: 3,
  F_SETFL: 4,
  FD_CLOEXEC: 1,
  POLLIN: 0x1,
  POLLPRI: 0x2,
  POLLOUT: 0x4,
  POLLERR: 0x8,
  POLLHUP: 0x10,
  POLLNVAL: 0x20,
  CLOCK_REALTIME: 0,
} as const;

const NO_EPOLL = {
  EPOLLIN: 0,
  EPOLLPRI: 0,
  EPOLLOUT: 0,
  EPOLLERR: 0,
  EPOLLHUP: 0,
  EPOLLRDHUP: 0,
  EPOLLET: 0,
  EPOLLONESHOT: 0,
  EPOLL_CLOEXEC: 0,
  EPOLL_CTL_ADD: 0,
  EPOLL_CTL_DEL: 0,
  EPOLL_CTL_MOD: 0,
} as const;

const BSD_SOCKETS = {
  SOMAXCONN: 128,
  SOL_SOCKET: 0xffff,
  SO_REUSEADDR: 0x4,
  SO_REUSEPORT: 0x200,
  SO_ERROR: 0x1007,
  SO_KEEPALIVE: 0x8,
  SO_BROADCAST: 0x20,
  SO_RCVBUF: 0x1002,
  SO_SNDBUF: 0x1001,
  SO_TYPE: 0x1008,
  SO_LINGER: 0x80,
  IPV6_V6ONLY: 27,
  IP_TTL: 4,
  IP_MULTICAST_IF: 9,
  IP_MULTICAST_TTL: 10,
  IP_MULTICAST_LOOP: 11,
  IP_ADD_MEMBERSHIP: 12,
  IP_DROP_MEMBERSHIP: 13,
  IPV6_MULTICAST_IF: 9,
  IPV6_MULTICAST_HOPS: 10,
  IPV6_MULTICAST_LOOP: 11,
  IPV6_JOIN_GROUP: 12,
  IPV6_LEAVE_GROUP: 13,
  MSG_DONTWAIT: 0x80,
  MSG_TRUNC: 0x10,
  O_NONBLOCK: 0x4,
  EVFILT_READ: -1,
  EVFILT_WRITE: -2,
  EV_ADD: 0x1,
  EV_DELETE: 0x2,
  EV_ENABLE: 0x4,
  EV_DISABLE: 0x8,
  EV_ONESHOT: 0x10,
  EV_CLEAR: 0x20,
  EV_RECEIPT: 0x40,
  EV_ERROR: 0x4000,
  EV_EOF: 0x8000,
  NOTE_TRIGGER: 0x01000000,
} as const;

/**
 * Linux (glibc and musl; x86-64 and aarch64 share these values).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { LINUX } from "./constants.ts";
 *
 * assert.equal(LINUX.os, "linux");
 * assert.equal(LINUX.AF_INET6, 10);
 * ```
 */
export const LINUX: Constants = {
  ...POSIX_COMMON,
  os: "linux",
  SOMAXCONN: 4096,
  AF_INET6: 10,
  SOCK_NONBLOCK: 0o4000,
  SOCK_CLOEXEC: 0o2000000,
  SOL_SOCKET: 1,
  SO_REUSEADDR: 2,
  SO_REUSEPORT: 15,
  SO_ERROR: 4,
  SO_KEEPALIVE: 9,
  SO_BROADCAST: 6,
  SO_RCVBUF: 8,
  SO_SNDBUF: 7,
  SO_TYPE: 3,
  SO_LINGER: 13,
  SO_NOSIGPIPE: 0,
  IPV6_V6ONLY: 26,
  IP_TTL: 2,
  IP_MULTICAST_IF: 32,
  IP_MULTICAST_TTL: 33,
  IP_MULTICAST_LOOP: 34,
  IP_ADD_MEMBERSHIP: 35,
  IP_DROP_MEMBERSHIP: 36,
  IPV6_MULTICAST_IF: 17,
  IPV6_MULTICAST_HOPS: 18,
  IPV6_MULTICAST_LOOP: 19,
  IPV6_JOIN_GROUP: 20,
  IPV6_LEAVE_GROUP: 21,
  MSG_DONTWAIT: 0x40,
  MSG_NOSIGNAL: 0x4000,
  MSG_TRUNC: 0x20,
  O_NONBLOCK: 0o4000,
  O_CLOEXEC: 0o2000000,
  F_DUPFD_CLOEXEC: 1030,
  EPOLLIN: 0x1,
  EPOLLPRI: 0x2,
  EPOLLOUT: 0x4,
  EPOLLERR: 0x8,
  EPOLLHUP: 0x10,
  EPOLLRDHUP: 0x2000,
  EPOLLET: 1 << 31,
  EPOLLONESHOT: 1 << 30,
  EPOLL_CLOEXEC: 0o2000000,
  EPOLL_CTL_ADD: 1,
  EPOLL_CTL_DEL: 2,
  EPOLL_CTL_MOD: 3,
  EFD_NONBLOCK: 0o4000,
  EFD_CLOEXEC: 0o2000000,
  EFD_SEMAPHORE: 1,
  EVFILT_READ: 0,
  EVFILT_WRITE: 0,
  EVFILT_USER: 0,
  EV_ADD: 0,
  EV_DELETE: 0,
  EV_ENABLE: 0,
  EV_DISABLE: 0,
  EV_ONESHOT: 0,
  EV_CLEAR: 0,
  EV_RECEIPT: 0,
  EV_ERROR: 0,
  EV_EOF: 0,
  NOTE_TRIGGER: 0,
  CLOCK_MONOTONIC: 1,
};

/**
 * macOS. It has no `SOCK_NONBLOCK`/`SOCK_CLOEXEC`; the values here are private
 * markers that `libc()` strips and applies with `fcntl`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DARWIN } from "./constants.ts";
 *
 * assert.equal(DARWIN.os, "darwin");
 * assert.equal(DARWIN.AF_INET6, 30);
 * ```
 */
export const DARWIN: Constants = {
  ...POSIX_COMMON,
  ...NO_EPOLL,
  ...BSD_SOCKETS,
  os: "darwin",
  AF_INET6: 30,
  SOCK_NONBLOCK: 0x20000000,
  SOCK_CLOEXEC: 0x10000000,
  SO_NOSIGPIPE: 0x1022,
  MSG_NOSIGNAL: 0,
  O_CLOEXEC: 0x1000000,
  F_DUPFD_CLOEXEC: 67,
  EFD_NONBLOCK: 0,
  EFD_CLOEXEC: 0,
  EFD_SEMAPHORE: 0,
  EVFILT_USER: -10,
  CLOCK_MONOTONIC: 6,
};

/**
 * FreeBSD (13 and later).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { FREEBSD } from "./constants.ts";
 *
 * assert.equal(FREEBSD.os, "freebsd");
 * assert.equal(FREEBSD.AF_INET6, 28);
 * ```
 */
export const FREEBSD: Constants = {
  ...POSIX_COMMON,
  ...NO_EPOLL,
  ...BSD_SOCKETS,
  os: "freebsd",
  AF_INET6: 28,
  SOCK_NONBLOCK: 0x20000000,
  SOCK_CLOEXEC: 0x10000000,
  SO_NOSIGPIPE: 0x800,
  MSG_NOSIGNAL: 0x20000,
  O_CLOEXEC: 0x100000,
  F_DUPFD_CLOEXEC: 17,
  EFD_NONBLOCK: 0x4,
  EFD_CLOEXEC: 0x100000,
  EFD_SEMAPHORE: 0x1,
  EVFILT_USER: -11,
  CLOCK_MONOTONIC: 4,
};

/**
 * The constants of an OS.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { constantsFor } from "./constants.ts";
 * assert.equal(constantsFor("darwin").AF_INET6, 30);
 * ```
 */
export function constantsFor(os: OSName): Constants {
  return os === "linux" ? LINUX : os === "darwin" ? DARWIN : FREEBSD;
}

/**
 * The constants of the OS we run on (Linux's tables on an unsupported OS,
 * where `ffiAvailable()` is false anyway).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { constants } from "./constants.ts";
 * const type = constants.SOCK_STREAM | constants.SOCK_NONBLOCK | constants.SOCK_CLOEXEC;
 * assert.ok(type > constants.SOCK_STREAM);
 * ```
 */
export const constants: Constants = constantsFor(TABLE_OS);
