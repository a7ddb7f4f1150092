/**
 * Errors raised by reactors, transports and connectors: Twisted's
 * `twisted/internet/error.py`, with errno-carrying system errors.
 *
 * @module
 */

import { osErrorMessage } from "./_os_error.ts";

export { TimeoutError } from "../deferred/errors.ts";

/**
 * A failed system call, naming its errno (`ECONNRESET`, …) and the call.
 *
 * @example
 * ```ts
 * import { SystemCallError } from "./errors.ts";
 * const e = new SystemCallError("recv", 104, "ECONNRESET");
 * console.assert(e.code === "ECONNRESET" && e.errno === 104);
 * ```
 */
export class SystemCallError extends Error {
  /** Always `"SystemCallError"`. */
  override name: string = "SystemCallError";
  /** The errno number, as the OS reported it. */
  readonly errno: number;
  /** The errno's symbolic name, e.g. `"EAGAIN"` (or `"E<number>"` when unknown). */
  readonly code: string;
  /** The system call that failed. */
  readonly syscall: string;
  /** Builds the error; the message reads `recv: Connection reset by peer (ECONNRESET)` plus any detail. */
  constructor(syscall: string, errno: number, code: string, detail?: string) {
    super(osErrorMessage(syscall, code, detail));
    this.syscall = syscall;
    this.errno = errno;
    this.code = code;
  }
}

/**
 * Binding a socket failed (Twisted's `BindError`).
 *
 * @example
 * ```ts
 * import { BindError } from "./errors.ts";
 * console.assert(new BindError("in use") instanceof Error);
 * ```
 */
export class BindError extends Error {
  /** Always `"BindError"`. */
  override name: string = "BindError";
}

/**
 * `listenTCP`/`listenUNIX`/`listenUDP` could not listen (Twisted's
 * `CannotListenError`): carries the interface, port and the underlying error.
 *
 * @example
 * ```ts
 * import { CannotListenError } from "./errors.ts";
 * const e = new CannotListenError("127.0.0.1", 80, new Error("EACCES"));
 * console.assert(e.port === 80);
 * ```
 */
export class CannotListenError extends BindError {
  /** Always `"CannotListenError"`. */
  override name: string = "CannotListenError";
  /** The interface asked for. */
  readonly interface: string;
  /** The port (or Unix path) asked for. */
  readonly port: number | string;
  /** The error that stopped it. */
  readonly socketError: Error;
  /** Builds the error from the address and the cause. */
  constructor(iface: string, port: number | string, socketError: Error) {
    super(
      `Couldn't listen on ${iface || "any"}:${port}: ${socketError.message}`,
      { cause: socketError },
    );
    this.interface = iface;
    this.port = port;
    this.socketError = socketError;
  }
}

/**
 * Joining a multicast group failed (Twisted's `MulticastJoinError`).
 *
 * @example
 * ```ts
 * import { MulticastJoinError } from "./errors.ts";
 * console.assert(new MulticastJoinError("239.0.0.1").name === "MulticastJoinError");
 * ```
 */
export class MulticastJoinError extends Error {
  /** Always `"MulticastJoinError"`. */
  override name: string = "MulticastJoinError";
}

/**
 * A datagram was too long to send (Twisted's `MessageLengthError`).
 *
 * @example
 * ```ts
 * import { MessageLengthError } from "./errors.ts";
 * console.assert(new MessageLengthError().name === "MessageLengthError");
 * ```
 */
export class MessageLengthError extends Error {
  /** Always `"MessageLengthError"`. */
  override name: string = "MessageLengthError";
}

/**
 * A connection attempt failed (Twisted's `ConnectError`); the base of the
 * specific connect errors below.
 *
 * @example
 * ```ts
 * import { ConnectError, ConnectionRefusedError } from "./errors.ts";
 * console.assert(new ConnectionRefusedError() instanceof ConnectError);
 * ```
 */
export class ConnectError extends Error {
  /** Always `"ConnectError"`. */
  override name: string = "ConnectError";
  /** The errno behind the failure, when there was one. */
  readonly errno?: number;
  /** Builds the error; `errno` is kept when the OS reported one. */
  constructor(message?: string, options?: { errno?: number; cause?: unknown; }) {
    super(message ?? "An error occurred while connecting", options);
    if (options?.errno !== undefined) this.errno = options.errno;
  }
}

/**
 * Binding the client socket's local address failed (`ConnectBindError`).
 * @example
 * ```ts
 * import { ConnectBindError } from "./errors.ts";
 * console.assert(new ConnectBindError() instanceof Error);
 * ```
 */
export class ConnectBindError extends ConnectError {
  /** Always `"ConnectBindError"`. */
  override name: string = "ConnectBindError";
}

/**
 * The host name was not known (`UnknownHostError`).
 * @example
 * ```ts
 * import { UnknownHostError } from "./errors.ts";
 * console.assert(new UnknownHostError() instanceof Error);
 * ```
 */
export class UnknownHostError extends ConnectError {
  /** Always `"UnknownHostError"`. */
  override name: string = "UnknownHostError";
}

/**
 * Resolving a host name failed (`DNSLookupError`).
 * @example
 * ```ts
 * import { DNSLookupError } from "./errors.ts";
 * console.assert(new DNSLookupError("no.such.host").name === "DNSLookupError");
 * ```
 */
export class DNSLookupError extends ConnectError {
  /** Always `"DNSLookupError"`. */
  override name: string = "DNSLookupError";
}

/**
 * No route to the host (`NoRouteError`, EHOSTUNREACH/ENETUNREACH).
 * @example
 * ```ts
 * import { NoRouteError } from "./errors.ts";
 * console.assert(new NoRouteError() instanceof Error);
 * ```
 */
export class NoRouteError extends ConnectError {
  /** Always `"NoRouteError"`. */
  override name: string = "NoRouteError";
}

/**
 * The peer refused the connection (`ConnectionRefusedError`, ECONNREFUSED).
 * @example
 * ```ts
 * import { ConnectionRefusedError } from "./errors.ts";
 * console.assert(new ConnectionRefusedError().name === "ConnectionRefusedError");
 * ```
 */
export class ConnectionRefusedError extends ConnectError {
  /** Always `"ConnectionRefusedError"`. */
  override name: string = "ConnectionRefusedError";
}

/**
 * The TCP connection attempt timed out in the kernel (`TCPTimedOutError`, ETIMEDOUT).
 * @example
 * ```ts
 * import { TCPTimedOutError } from "./errors.ts";
 * console.assert(new TCPTimedOutError() instanceof Error);
 * ```
 */
export class TCPTimedOutError extends ConnectError {
  /** Always `"TCPTimedOutError"`. */
  override name: string = "TCPTimedOutError";
}

/**
 * A file needed for the connection is bad (`BadFileError`, e.g. a stale Unix lock).
 * @example
 * ```ts
 * import { BadFileError } from "./errors.ts";
 * console.assert(new BadFileError() instanceof Error);
 * ```
 */
export class BadFileError extends ConnectError {
  /** Always `"BadFileError"`. */
  override name: string = "BadFileError";
}

/**
 * The service name is not known (`ServiceNameUnknownError`).
 * @example
 * ```ts
 * import { ServiceNameUnknownError } from "./errors.ts";
 * console.assert(new ServiceNameUnknownError() instanceof Error);
 * ```
 */
export class ServiceNameUnknownError extends ConnectError {
  /** Always `"ServiceNameUnknownError"`. */
  override name: string = "ServiceNameUnknownError";
}

/**
 * The user cancelled the connection attempt (`UserError`, e.g. `stopConnecting`).
 * @example
 * ```ts
 * import { UserError } from "./errors.ts";
 * console.assert(new UserError() instanceof Error);
 * ```
 */
export class UserError extends ConnectError {
  /** Always `"UserError"`. */
  override name: string = "UserError";
}

/**
 * A connection attempt was cancelled through its Deferred (`ConnectingCancelledError`).
 * @example
 * ```ts
 * import { ConnectingCancelledError } from "./errors.ts";
 * console.assert(new ConnectingCancelledError() instanceof Error);
 * ```
 */
export class ConnectingCancelledError extends Error {
  /** Always `"ConnectingCancelledError"`. */
  override name: string = "ConnectingCancelledError";
}

/**
 * The connection closed (`ConnectionClosed`): the base of `ConnectionDone` and
 * `ConnectionLost`.
 * @example
 * ```ts
 * import { ConnectionClosed, ConnectionDone } from "./errors.ts";
 * console.assert(new ConnectionDone() instanceof ConnectionClosed);
 * ```
 */
export class ConnectionClosed extends Error {
  /** Always `"ConnectionClosed"`. */
  override name: string = "ConnectionClosed";
}

/**
 * The connection was closed cleanly (`ConnectionDone`).
 * @example
 * ```ts
 * import { ConnectionDone } from "./errors.ts";
 * console.assert(new ConnectionDone().message.includes("cleanly"));
 * ```
 */
export class ConnectionDone extends ConnectionClosed {
  /** Always `"ConnectionDone"`. */
  override name: string = "ConnectionDone";
  /** Builds the error with Twisted's default message. */
  constructor(message = "Connection was closed cleanly.", options?: ErrorOptions) {
    super(message, options);
  }
}

/**
 * The connection was lost in a non-clean fashion (`ConnectionLost`).
 * @example
 * ```ts
 * import { ConnectionLost } from "./errors.ts";
 * console.assert(new ConnectionLost() instanceof Error);
 * ```
 */
export class ConnectionLost extends ConnectionClosed {
  /** Always `"ConnectionLost"`. */
  override name: string = "ConnectionLost";
  /** Builds the error with Twisted's default message. */
  constructor(
    message = "Connection to the other side was lost in a non-clean fashion.",
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/**
 * The connection was aborted locally with `abortConnection` (`ConnectionAborted`).
 * @example
 * ```ts
 * import { ConnectionAborted, ConnectionLost } from "./errors.ts";
 * console.assert(new ConnectionAborted() instanceof ConnectionLost);
 * ```
 */
export class ConnectionAborted extends ConnectionLost {
  /** Always `"ConnectionAborted"`. */
  override name: string = "ConnectionAborted";
  /** Builds the error with Twisted's default message. */
  constructor(message = "Connection was aborted locally using abortConnection.") {
    super(message);
  }
}

/**
 * The file descriptor went away under the transport (`ConnectionFdescWentAway`).
 * @example
 * ```ts
 * import { ConnectionFdescWentAway } from "./errors.ts";
 * console.assert(new ConnectionFdescWentAway() instanceof Error);
 * ```
 */
export class ConnectionFdescWentAway extends ConnectionLost {
  /** Always `"ConnectionFdescWentAway"`. */
  override name: string = "ConnectionFdescWentAway";
}

/**
 * `DelayedCall.cancel`/`reset` after the call already ran (`AlreadyCalled`).
 * @example
 * ```ts
 * import { AlreadyCalled } from "./errors.ts";
 * console.assert(new AlreadyCalled().name === "AlreadyCalled");
 * ```
 */
export class AlreadyCalled extends Error {
  /** Always `"AlreadyCalled"`. */
  override name: string = "AlreadyCalled";
}

/**
 * `DelayedCall.cancel`/`reset` after it was cancelled (`AlreadyCancelled`).
 * @example
 * ```ts
 * import { AlreadyCancelled } from "./errors.ts";
 * console.assert(new AlreadyCancelled().name === "AlreadyCancelled");
 * ```
 */
export class AlreadyCancelled extends Error {
  /** Always `"AlreadyCancelled"`. */
  override name: string = "AlreadyCancelled";
}

/**
 * `stopConnecting` when the connector is not connecting (`NotConnectingError`).
 * @example
 * ```ts
 * import { NotConnectingError } from "./errors.ts";
 * console.assert(new NotConnectingError() instanceof Error);
 * ```
 */
export class NotConnectingError extends Error {
  /** Always `"NotConnectingError"`. */
  override name: string = "NotConnectingError";
}

/**
 * The port is not listening (`NotListeningError`).
 * @example
 * ```ts
 * import { NotListeningError } from "./errors.ts";
 * console.assert(new NotListeningError() instanceof Error);
 * ```
 */
export class NotListeningError extends Error {
  /** Always `"NotListeningError"`. */
  override name: string = "NotListeningError";
}

/**
 * `stop()` while the reactor is not running, including a second `stop()`
 * (`ReactorNotRunning`). As in Twisted, `crash()` when not running does nothing.
 * @example
 * ```ts
 * import { ReactorNotRunning } from "./errors.ts";
 * console.assert(new ReactorNotRunning() instanceof Error);
 * ```
 */
export class ReactorNotRunning extends Error {
  /** Always `"ReactorNotRunning"`. */
  override name: string = "ReactorNotRunning";
  /** Builds the error with Twisted's default message. */
  constructor(message = "Can't stop reactor that isn't running.") {
    super(message);
  }
}

/**
 * `run()` after the reactor already ran and stopped (`ReactorNotRestartable`).
 * @example
 * ```ts
 * import { ReactorNotRestartable } from "./errors.ts";
 * console.assert(new ReactorNotRestartable() instanceof Error);
 * ```
 */
export class ReactorNotRestartable extends Error {
  /** Always `"ReactorNotRestartable"`. */
  override name: string = "ReactorNotRestartable";
  /** Builds the error with Twisted's default message. */
  constructor(message = "The reactor cannot be restarted.") {
    super(message);
  }
}

/**
 * `run()` while already running (`ReactorAlreadyRunning`).
 * @example
 * ```ts
 * import { ReactorAlreadyRunning } from "./errors.ts";
 * console.assert(new ReactorAlreadyRunning() instanceof Error);
 * ```
 */
export class ReactorAlreadyRunning extends Error {
  /** Always `"ReactorAlreadyRunning"`. */
  override name: string = "ReactorAlreadyRunning";
}

/**
 * `installReactor` after a reactor was already installed or used
 * (`ReactorAlreadyInstalledError`).
 * @example
 * ```ts
 * import { ReactorAlreadyInstalledError } from "./errors.ts";
 * console.assert(new ReactorAlreadyInstalledError() instanceof Error);
 * ```
 */
export class ReactorAlreadyInstalledError extends Error {
  /** Always `"ReactorAlreadyInstalledError"`. */
  override name: string = "ReactorAlreadyInstalledError";
}

/**
 * The address family is not supported here (`UnsupportedAddressFamily`).
 * @example
 * ```ts
 * import { UnsupportedAddressFamily } from "./errors.ts";
 * console.assert(new UnsupportedAddressFamily() instanceof Error);
 * ```
 */
export class UnsupportedAddressFamily extends Error {
  /** Always `"UnsupportedAddressFamily"`. */
  override name: string = "UnsupportedAddressFamily";
}

/**
 * The socket type is not supported here (`UnsupportedSocketType`).
 * @example
 * ```ts
 * import { UnsupportedSocketType } from "./errors.ts";
 * console.assert(new UnsupportedSocketType() instanceof Error);
 * ```
 */
export class UnsupportedSocketType extends Error {
  /** Always `"UnsupportedSocketType"`. */
  override name: string = "UnsupportedSocketType";
}

/**
 * An address string could not be parsed (`InvalidAddressError`).
 * @example
 * ```ts
 * import { InvalidAddressError } from "./errors.ts";
 * console.assert(new InvalidAddressError("1.2.3").name === "InvalidAddressError");
 * ```
 */
export class InvalidAddressError extends Error {
  /** Always `"InvalidAddressError"`. */
  override name: string = "InvalidAddressError";
}

/**
 * The poller cannot watch this fd (e.g. `select` above FD_SETSIZE).
 * @example
 * ```ts
 * import { FileDescriptorOverrun } from "./errors.ts";
 * console.assert(new FileDescriptorOverrun("fd 2000 >= FD_SETSIZE").name === "FileDescriptorOverrun");
 * ```
 */
export class FileDescriptorOverrun extends ConnectionLost {
  /** Always `"FileDescriptorOverrun"`. */
  override name: string = "FileDescriptorOverrun";
}

/**
 * The factory's `buildProtocol` returned null, so the connection was
 * refused before it started (Twisted's `error.NoProtocol`).
 *
 * @example
 * ```ts
 * import { NoProtocol } from "./errors.ts";
 * console.assert(new NoProtocol().name === "NoProtocol");
 * ```
 */
export class NoProtocol extends Error {
  /** Always `"NoProtocol"`. */
  override name: string = "NoProtocol";
  /** Builds the error with a default explanation. */
  constructor(message = "The factory's buildProtocol returned null: no protocol to connect") {
    super(message);
  }
}
