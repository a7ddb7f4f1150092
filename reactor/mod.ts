/**
 * The reactor: one event loop per process, Twisted's `twisted.internet.reactor`.
 *
 * `reactor` is the process-wide reactor, bound on first use to the one chosen by
 * `installReactor(kind)`, the `SKEIN_REACTOR` environment variable, or the best
 * poller for the platform (epoll on Linux, kqueue on macOS/BSD; the host reactor
 * built on the runtime's own sockets where FFI is not allowed). `createReactor(kind)`
 * makes a fresh, independent reactor (tests use it).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { reactor } from "@skein/skein/reactor";
 *
 * const seen: string[] = [];
 * reactor.callLater(0.01, () => seen.push("a hundredth of a second later"));
 * reactor.callLater(0.02, reactor.stop);
 * await reactor.run(); // run() cannot block: await it, so what follows runs after the stop
 * assert.deepEqual(seen, ["a hundredth of a second later"]);
 * ```
 *
 * @module
 */
export type * from "../interfaces.ts";
export { BaseConnector, type ConnectingTransport, type ConnectorState } from "./_connector.ts";
export { type FDReactor, FileDescriptor } from "./abstract.ts";
export * from "./address.ts";
export { ChildFDCloser } from "./child_fd_closer.ts";
export { DelayedCall } from "./delayed_call.ts";
export * from "./errors.ts";
export { createParker, ffiAvailable, type Parker, type ParkerKind } from "./ffi/mod.ts";
export type { DecodedSockaddr, InetSockaddr, UnixSockaddr } from "./ffi/structs.ts";
export { HostConnection, type HostConnectionOptions } from "./host/connection.ts";
export { ConnectAttempt, HostConnector, type HostConnectorState } from "./host/connector.ts";
export { HostReactor } from "./host/host_reactor.ts";
export { HostProcess } from "./host/process.ts";
export { type AcceptedAddresses, HostStreamPort } from "./host/stream_port.ts";
export { HostTCPConnector, HostTCPPort } from "./host/tcp.ts";
export type { HostReactorLike, HostSelectable } from "./host/types.ts";
export { HostUDPPort } from "./host/udp.ts";
export { HostUNIXConnector, HostUNIXPort } from "./host/unix.ts";
export * from "./install.ts";
export {
  availablePollers,
  createPoller,
  defaultPollerKind,
  ERROR,
  type OSName,
  type Poller,
  POLLER_KINDS,
  type PollerKind,
  pollersFor,
  READ,
  WRITE,
} from "./pollers/mod.ts";
export { PosixReactor, type PosixReactorOptions } from "./posix_reactor.ts";
export { Process } from "./process.ts";
export { ReactorBase, type RunOptions } from "./reactor_base.ts";
export { ReactorThreads } from "./reactor_threads.ts";
export { type SocketClasses, SocketReactorBase } from "./socket_reactor_base.ts";
export { StreamConnection } from "./stream_connection.ts";
export { StreamPort } from "./stream_port.ts";
export { TCPClientConnection, TCPConnection, TCPConnector, TCPPort } from "./tcp.ts";
export { UDPPort } from "./udp.ts";
export { UNIXClientConnection, UNIXConnection, UNIXConnector, UNIXPort } from "./unix.ts";
