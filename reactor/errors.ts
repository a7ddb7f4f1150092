/**
 * Errors raised by reactors, transports and connectors: Twisted's
 * `twisted/internet/error.py`, with errno-carrying system errors.
 *
 * @module
 */

import { familyName } from "./_error_name.ts";
import { osErrorMessage } from "./_os_error.ts";

export { TimeoutError } from "../deferred/errors.ts";

/** The classes of this module, whose names their errors take (filled in at the end). */
const NAMED: WeakSet<object> = new WeakSet();

/**
 * The base of the reactor errors: an error's `name` is its class's
 * (`"ConnectionLost"`, …), the name of the nearest class of this module for a
 * subclass declared elsewhere that does not set its own.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ConnectionRefusedError, ReactorError } from "@skein/skein/reactor";
 *
 * const e = new ConnectionRefusedError();
 * assert.equal(e.name, "ConnectionRefusedError");
 * assert.ok(e instanceof ReactorError && e instanceof Error);
 * class Mine extends ConnectionRefusedError {}
 * assert.equal(new Mine().name, "ConnectionRefusedError");
 * ```
 */
export class ReactorError extends Error {
  /** Builds the error with `message`, named after its class. */
  constructor(message?: string, options?: ErrorOptions) {
    super(message, options);
    this.name = familyName(new.target, NAMED, "ReactorError");
  }
}

/**
 * An error whose class gives the message when `new` is given none: a
 * subclass sets the static `defaultMessage` (Twisted's default text), and
 * `new Sub()` uses it while `new Sub("why")` keeps `"why"`. The base of the
 * reactor errors that have a default message.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ConnectionLost, DefaultMessageError, ReactorNotRunning } from "@skein/skein/reactor";
 *
 * assert.equal(new ReactorNotRunning().message, ReactorNotRunning.defaultMessage);
 * assert.equal(new ConnectionLost("reset by peer").message, "reset by peer");
 * assert.ok(new ConnectionLost() instanceof DefaultMessageError);
 * ```
 */
export class DefaultMessageError extends ReactorError {
  /** The message when none is given (none here: `new DefaultMessageError()` has an empty one). */
  static readonly defaultMessage: string | undefined = undefined;
  /** Builds the error with `message`, or else the class's `defaultMessage`. */
  constructor(message?: string, options?: ErrorOptions) {
    super(message ?? (new.target as typeof DefaultMessageError).defaultMessage, options);
  }
}

/**
 * A failed system call, naming its errno (`ECONNRESET`, …) and the call.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { SystemCallError } from "@skein/skein/reactor";
 *
 * const e = new SystemCallError("recv", 104, "ECONNRESET");
 * assert.equal(e.code, "ECONNRESET");
 * assert.equal(e.errno, 104);
 * assert.equal(e.syscall, "recv");
 * ```
 */
export class SystemCallError extends ReactorError {
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
 * import assert from "node:assert/strict";
 * import { Factory, Protocol } from "@skein/skein/protocols";
 * import { BindError, createReactor } from "@skein/skein/reactor";
 *
 * const reactor = createReactor();
 * const factory = Factory.forProtocol(Protocol);
 * const first = reactor.listenTCP(0, factory, { interface: "127.0.0.1" });
 * const port = first.getHost().port;
 * assert.throws(() => reactor.listenTCP(port, factory, { interface: "127.0.0.1" }), BindError);
 * reactor.callWhenRunning(() => first.stopListening().addBoth(reactor.stop));
 * await reactor.run();
 * ```
 */
export class BindError extends ReactorError {}

/**
 * `listenTCP`/`listenUNIX`/`listenUDP` could not listen (Twisted's
 * `CannotListenError`): carries the interface, port and the underlying error.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Factory, Protocol } from "@skein/skein/protocols";
 * import { CannotListenError, createReactor } from "@skein/skein/reactor";
 *
 * const reactor = createReactor();
 * const factory = Factory.forProtocol(Protocol);
 * const first = reactor.listenTCP(0, factory, { interface: "127.0.0.1" });
 * const port = first.getHost().port;
 * try {
 *   reactor.listenTCP(port, factory, { interface: "127.0.0.1" }); // the port is taken
 *   assert.fail("listened twice");
 * } catch (e) {
 *   assert.ok(e instanceof CannotListenError);
 *   assert.equal(e.port, port);
 *   assert.equal(e.interface, "127.0.0.1");
 * }
 * reactor.callWhenRunning(() => first.stopListening().addBoth(reactor.stop));
 * await reactor.run();
 * ```
 */
export class CannotListenError extends BindError {
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
 * import assert from "node:assert/strict";
 * import { MulticastJoinError } from "@skein/skein/reactor";
 *
 * const e = new MulticastJoinError("239.0.0.1");
 * assert.equal(e.name, "MulticastJoinError");
 * assert.equal(e.message, "239.0.0.1");
 * ```
 */
export class MulticastJoinError extends ReactorError {}

/**
 * A datagram was too long to send (Twisted's `MessageLengthError`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { MessageLengthError } from "@skein/skein/reactor";
 *
 * const e = new MessageLengthError("datagram of 70000 bytes");
 * assert.equal(e.name, "MessageLengthError");
 * ```
 */
export class MessageLengthError extends ReactorError {}

/**
 * A connection attempt failed (Twisted's `ConnectError`); the base of the
 * specific connect errors below.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Failure } from "@skein/skein/deferred";
 * import { ConnectError, ConnectionRefusedError, TCPTimedOutError } from "@skein/skein/reactor";
 *
 * // clientConnectionFailed gets a Failure; every connect failure is a ConnectError.
 * const reasons = [new Failure(new ConnectionRefusedError()), new Failure(new TCPTimedOutError())];
 * for (const reason of reasons) assert.equal(reason.check(ConnectError), ConnectError);
 * ```
 */
export class ConnectError extends ReactorError {
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
 * import assert from "node:assert/strict";
 * import { ConnectBindError, ConnectError } from "@skein/skein/reactor";
 *
 * // Binding the client's local address failed: a ConnectError, handled like every connect failure.
 * const e = new ConnectBindError();
 * assert.ok(e instanceof ConnectError);
 * assert.equal(e.name, "ConnectBindError");
 * ```
 */
export class ConnectBindError extends ConnectError {}

/**
 * The host name was not known (`UnknownHostError`).
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ConnectError, UnknownHostError } from "@skein/skein/reactor";
 *
 * // The host name is unknown: a ConnectError, handled like every connect failure.
 * const e = new UnknownHostError();
 * assert.ok(e instanceof ConnectError);
 * assert.equal(e.name, "UnknownHostError");
 * ```
 */
export class UnknownHostError extends ConnectError {}

/**
 * Resolving a host name failed (`DNSLookupError`).
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ConnectError, DNSLookupError, createReactor } from "@skein/skein/reactor";
 *
 * const reactor = createReactor();
 * const lookup = reactor.resolve("no such host!").toPromise();
 * await assert.rejects(lookup, DNSLookupError);
 * await assert.rejects(lookup, ConnectError); // a connect failure, for connectTCP
 * ```
 */
export class DNSLookupError extends ConnectError {}

/**
 * No route to the host (`NoRouteError`, EHOSTUNREACH/ENETUNREACH).
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ConnectError, NoRouteError } from "@skein/skein/reactor";
 *
 * // There is no route to the host: a ConnectError, handled like every connect failure.
 * const e = new NoRouteError();
 * assert.ok(e instanceof ConnectError);
 * assert.equal(e.name, "NoRouteError");
 * ```
 */
export class NoRouteError extends ConnectError {}

/**
 * The peer refused the connection (`ConnectionRefusedError`, ECONNREFUSED).
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ConnectError, ConnectionRefusedError } from "@skein/skein/reactor";
 *
 * const e = new ConnectionRefusedError();
 * assert.ok(e instanceof ConnectError);
 * assert.equal(e.name, "ConnectionRefusedError");
 * ```
 */
export class ConnectionRefusedError extends ConnectError {}

/**
 * The TCP connection attempt timed out in the kernel (`TCPTimedOutError`, ETIMEDOUT).
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ConnectError, TCPTimedOutError } from "@skein/skein/reactor";
 *
 * // The TCP connection timed out: a ConnectError, handled like every connect failure.
 * const e = new TCPTimedOutError();
 * assert.ok(e instanceof ConnectError);
 * assert.equal(e.name, "TCPTimedOutError");
 * ```
 */
export class TCPTimedOutError extends ConnectError {}

/**
 * A file needed for the connection is bad (`BadFileError`, e.g. a stale Unix lock).
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { BadFileError, ConnectError } from "@skein/skein/reactor";
 *
 * // The file descriptor was bad: a ConnectError, handled like every connect failure.
 * const e = new BadFileError();
 * assert.ok(e instanceof ConnectError);
 * assert.equal(e.name, "BadFileError");
 * ```
 */
export class BadFileError extends ConnectError {}

/**
 * The service name is not known (`ServiceNameUnknownError`).
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ConnectError, ServiceNameUnknownError } from "@skein/skein/reactor";
 *
 * // The service name is unknown: a ConnectError, handled like every connect failure.
 * const e = new ServiceNameUnknownError();
 * assert.ok(e instanceof ConnectError);
 * assert.equal(e.name, "ServiceNameUnknownError");
 * ```
 */
export class ServiceNameUnknownError extends ConnectError {}

/**
 * The user cancelled the connection attempt (`UserError`, e.g. `stopConnecting`).
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ConnectError, UserError } from "@skein/skein/reactor";
 *
 * // The user (e.g. stopConnecting()) gave up: a ConnectError, handled like every connect failure.
 * const e = new UserError();
 * assert.ok(e instanceof ConnectError);
 * assert.equal(e.name, "UserError");
 * ```
 */
export class UserError extends ConnectError {}

/**
 * A connection attempt was cancelled through its Deferred (`ConnectingCancelledError`).
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ConnectingCancelledError } from "@skein/skein/reactor";
 *
 * // What an endpoint's connect Deferred fails with when it is cancelled.
 * const e = new ConnectingCancelledError();
 * assert.equal(e.name, "ConnectingCancelledError");
 * ```
 */
export class ConnectingCancelledError extends ReactorError {}

/**
 * The connection closed (`ConnectionClosed`): the base of `ConnectionDone` and
 * `ConnectionLost`.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Failure } from "@skein/skein/deferred";
 * import { ConnectionClosed, ConnectionDone, ConnectionLost } from "@skein/skein/reactor";
 *
 * // connectionLost(reason): one check tells a clean close from a lost connection.
 * const clean = new Failure(new ConnectionDone());
 * const lost = new Failure(new ConnectionLost());
 * assert.equal(clean.check(ConnectionDone, ConnectionLost), ConnectionDone);
 * assert.equal(lost.check(ConnectionDone, ConnectionLost), ConnectionLost);
 * assert.ok(clean.check(ConnectionClosed) && lost.check(ConnectionClosed));
 * ```
 */
export class ConnectionClosed extends DefaultMessageError {}

/**
 * The connection was closed cleanly (`ConnectionDone`).
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ConnectionDone } from "@skein/skein/reactor";
 * import { Protocol } from "@skein/skein/protocols";
 * import type { Failure } from "@skein/skein/deferred";
 * import { StringTransportWithDisconnection } from "@skein/skein/testing";
 *
 * const seen: string[] = [];
 * class Client extends Protocol {
 *   override connectionLost(reason: Failure): void {
 *     seen.push(reason.check(ConnectionDone) ? "closed cleanly" : reason.getErrorMessage());
 *   }
 * }
 * const transport = new StringTransportWithDisconnection();
 * const client = new Client();
 * transport.protocol = client;
 * client.makeConnection(transport);
 * transport.loseConnection();
 * assert.deepEqual(seen, ["closed cleanly"]);
 * ```
 */
export class ConnectionDone extends ConnectionClosed {
  /** Twisted's default message. */
  static override readonly defaultMessage: string = "Connection was closed cleanly.";
}

/**
 * The connection was lost in a non-clean fashion (`ConnectionLost`).
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Failure } from "@skein/skein/deferred";
 * import { ConnectionClosed, ConnectionLost } from "@skein/skein/reactor";
 *
 * const reason = new Failure(new ConnectionLost());
 * assert.equal(reason.getErrorMessage(), "Connection to the other side was lost in a non-clean fashion.");
 * assert.ok(reason.value instanceof ConnectionClosed);
 * ```
 */
export class ConnectionLost extends ConnectionClosed {
  /** Twisted's default message. */
  static override readonly defaultMessage: string =
    "Connection to the other side was lost in a non-clean fashion.";
}

/**
 * The connection was aborted locally with `abortConnection` (`ConnectionAborted`).
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ConnectionAborted, ConnectionLost } from "@skein/skein/reactor";
 *
 * // abortConnection() ends a connection with this reason: a kind of ConnectionLost.
 * const e = new ConnectionAborted();
 * assert.ok(e instanceof ConnectionLost);
 * assert.equal(e.message, "Connection was aborted locally using abortConnection.");
 * ```
 */
export class ConnectionAborted extends ConnectionLost {
  /** Twisted's default message. */
  static override readonly defaultMessage: string =
    "Connection was aborted locally using abortConnection.";
}

/**
 * The file descriptor went away under the transport (`ConnectionFdescWentAway`).
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ConnectionFdescWentAway, ConnectionLost } from "@skein/skein/reactor";
 *
 * // A descriptor whose fileno() became -1 is dropped with this reason.
 * assert.ok(new ConnectionFdescWentAway() instanceof ConnectionLost);
 * ```
 */
export class ConnectionFdescWentAway extends ConnectionLost {}

/**
 * `DelayedCall.cancel`/`reset` after the call already ran (`AlreadyCalled`).
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { AlreadyCalled } from "@skein/skein/reactor";
 * import { Clock } from "@skein/skein/task";
 *
 * const clock = new Clock();
 * const call = clock.callLater(1, () => {});
 * clock.advance(1);
 * assert.throws(() => call.cancel(), AlreadyCalled);
 * ```
 */
export class AlreadyCalled extends ReactorError {}

/**
 * `DelayedCall.cancel`/`reset` after it was cancelled (`AlreadyCancelled`).
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { AlreadyCancelled } from "@skein/skein/reactor";
 * import { Clock } from "@skein/skein/task";
 *
 * const clock = new Clock();
 * const call = clock.callLater(1, () => {});
 * call.cancel();
 * assert.throws(() => call.cancel(), AlreadyCancelled);
 * assert.throws(() => call.reset(2), AlreadyCancelled);
 * ```
 */
export class AlreadyCancelled extends ReactorError {}

/**
 * `stopConnecting` when the connector is not connecting (`NotConnectingError`).
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { NotConnectingError } from "@skein/skein/reactor";
 *
 * // What a connector's stopConnecting() throws once it is no longer connecting.
 * assert.equal(new NotConnectingError().name, "NotConnectingError");
 * ```
 */
export class NotConnectingError extends ReactorError {}

/**
 * The port is not listening (`NotListeningError`).
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { NotListeningError } from "@skein/skein/reactor";
 *
 * // What a port throws when asked to do something only a listening port can.
 * assert.equal(new NotListeningError().name, "NotListeningError");
 * ```
 */
export class NotListeningError extends ReactorError {}

/**
 * `stop()` while the reactor is not running, including a second `stop()`
 * (`ReactorNotRunning`). As in Twisted, `crash()` when not running does nothing.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ReactorNotRunning, createReactor } from "@skein/skein/reactor";
 *
 * const reactor = createReactor();
 * assert.throws(() => reactor.stop(), ReactorNotRunning);
 * ```
 */
export class ReactorNotRunning extends DefaultMessageError {
  /** Twisted's default message. */
  static override readonly defaultMessage: string = "Can't stop reactor that isn't running.";
}

/**
 * `run()` after the reactor already ran and stopped (`ReactorNotRestartable`).
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ReactorNotRestartable, createReactor } from "@skein/skein/reactor";
 *
 * const reactor = createReactor();
 * reactor.callWhenRunning(reactor.stop);
 * await reactor.run();
 * assert.throws(() => reactor.run(), ReactorNotRestartable); // make a new reactor instead
 * ```
 */
export class ReactorNotRestartable extends DefaultMessageError {
  /** Twisted's default message. */
  static override readonly defaultMessage: string = "The reactor cannot be restarted.";
}

/**
 * `run()` while already running (`ReactorAlreadyRunning`).
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ReactorAlreadyRunning, createReactor } from "@skein/skein/reactor";
 *
 * const reactor = createReactor();
 * let again: unknown = null;
 * reactor.callWhenRunning(() => {
 *   try {
 *     reactor.run();
 *   } catch (e) {
 *     again = e;
 *   }
 *   reactor.stop();
 * });
 * await reactor.run();
 * assert.ok(again instanceof ReactorAlreadyRunning);
 * ```
 */
export class ReactorAlreadyRunning extends ReactorError {}

/**
 * `installReactor` after a reactor was already installed or used
 * (`ReactorAlreadyInstalledError`).
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ReactorAlreadyInstalledError } from "@skein/skein/reactor";
 *
 * // installReactor() throws it once the process-wide reactor is chosen.
 * assert.equal(new ReactorAlreadyInstalledError().name, "ReactorAlreadyInstalledError");
 * ```
 */
export class ReactorAlreadyInstalledError extends ReactorError {}

/**
 * The address family is not supported here (`UnsupportedAddressFamily`).
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { UnsupportedAddressFamily } from "@skein/skein/reactor";
 *
 * assert.equal(new UnsupportedAddressFamily("AF_PACKET").name, "UnsupportedAddressFamily");
 * ```
 */
export class UnsupportedAddressFamily extends ReactorError {}

/**
 * The socket type is not supported here (`UnsupportedSocketType`).
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { UnsupportedSocketType } from "@skein/skein/reactor";
 *
 * assert.equal(new UnsupportedSocketType("SOCK_SEQPACKET").name, "UnsupportedSocketType");
 * ```
 */
export class UnsupportedSocketType extends ReactorError {}

/**
 * An address string could not be parsed (`InvalidAddressError`).
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Factory, Protocol } from "@skein/skein/protocols";
 * import { CannotListenError, createReactor, InvalidAddressError } from "@skein/skein/reactor";
 *
 * const reactor = createReactor();
 * const factory = Factory.forProtocol(Protocol);
 * try {
 *   reactor.listenTCP(0, factory, { interface: "localhost" }); // a name, not an IP address
 *   assert.fail("listened");
 * } catch (e) {
 *   assert.ok(e instanceof CannotListenError);
 *   assert.ok(e.socketError instanceof InvalidAddressError);
 * }
 * ```
 */
export class InvalidAddressError extends ReactorError {}

/**
 * The poller cannot watch this fd (e.g. `select` above FD_SETSIZE).
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ConnectionLost, FileDescriptorOverrun } from "@skein/skein/reactor";
 *
 * // The select() poller drops a descriptor it cannot watch with this reason.
 * const e = new FileDescriptorOverrun("fd 2000 >= FD_SETSIZE");
 * assert.ok(e instanceof ConnectionLost);
 * ```
 */
export class FileDescriptorOverrun extends ConnectionLost {}

/**
 * The factory's `buildProtocol` returned null, so the connection was
 * refused before it started (Twisted's `error.NoProtocol`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { NoProtocol } from "@skein/skein/reactor";
 *
 * // What a factory's buildProtocol() can throw to refuse a connection.
 * assert.equal(new NoProtocol().name, "NoProtocol");
 * ```
 */
export class NoProtocol extends DefaultMessageError {
  /** The default explanation. */
  static override readonly defaultMessage: string =
    "The factory's buildProtocol returned null: no protocol to connect";
}

/**
 * A child process exited with code 0 (Twisted's `error.ProcessDone`, a
 * `ConnectionDone`): the `reason` of `processExited`/`processEnded`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ConnectionDone, ProcessDone } from "@skein/skein/reactor";
 *
 * const done = new ProcessDone(0);
 * assert.ok(done instanceof ConnectionDone);
 * assert.equal(done.exitCode, 0);
 * assert.equal(done.message, "A process has ended without apparent errors: process finished with exit code 0.");
 * ```
 */
export class ProcessDone extends ConnectionDone {
  /** Always 0. */
  readonly exitCode: number = 0;
  /** Always `null`: no signal ended the process. */
  readonly signal: null = null;
  /** The raw wait status. */
  readonly status: number;
  /** Builds the error from the raw wait status (0). */
  constructor(status: number) {
    super("A process has ended without apparent errors: process finished with exit code 0.");
    this.status = status;
  }
}

/**
 * A child process exited with a non-zero code or was killed by a signal
 * (Twisted's `error.ProcessTerminated`, a `ConnectionLost`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ConnectionLost, ProcessTerminated } from "@skein/skein/reactor";
 *
 * const exited = new ProcessTerminated(3, null, 3 << 8);
 * assert.ok(exited instanceof ConnectionLost);
 * assert.equal(exited.message, "A process has ended with a probable error condition: process ended with exit code 3.");
 * const killed = new ProcessTerminated(null, 15, 15);
 * assert.equal(killed.message, "A process has ended with a probable error condition: process ended by signal 15.");
 * ```
 */
export class ProcessTerminated extends ConnectionLost {
  /** The exit code, or `null` when a signal ended the process. */
  readonly exitCode: number | null;
  /** The signal that ended the process, or `null` when it exited. */
  readonly signal: number | null;
  /** The raw wait status, or `null` when unknown. */
  readonly status: number | null;
  /** Builds the error; the message says how the process ended. */
  constructor(
    exitCode: number | null = null,
    signal: number | null = null,
    status: number | null = null,
  ) {
    let how = "process ended";
    if (exitCode !== null) how += ` with exit code ${exitCode}`;
    if (signal !== null) how += ` by signal ${signal}`;
    super(`A process has ended with a probable error condition: ${how}.`);
    this.exitCode = exitCode;
    this.signal = signal;
    this.status = status;
  }
}

/**
 * The process has already ended, so `signalProcess` (or another operation on
 * it) cannot be done (Twisted's `error.ProcessExitedAlready`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ProcessExitedAlready } from "@skein/skein/reactor";
 *
 * assert.match(new ProcessExitedAlready().message, /already exited/);
 * ```
 */
export class ProcessExitedAlready extends ReactorError {
  /** Builds the error with Twisted's message. */
  constructor(
    message =
      "The process has already exited and the operation requested can no longer be performed.",
  ) {
    super(message);
  }
}

for (
  const c of [
    ReactorError,
    DefaultMessageError,
    SystemCallError,
    BindError,
    CannotListenError,
    MulticastJoinError,
    MessageLengthError,
    ConnectError,
    ConnectBindError,
    UnknownHostError,
    DNSLookupError,
    NoRouteError,
    ConnectionRefusedError,
    TCPTimedOutError,
    BadFileError,
    ServiceNameUnknownError,
    UserError,
    ConnectingCancelledError,
    ConnectionClosed,
    ConnectionDone,
    ConnectionLost,
    ConnectionAborted,
    ConnectionFdescWentAway,
    AlreadyCalled,
    AlreadyCancelled,
    NotConnectingError,
    NotListeningError,
    ReactorNotRunning,
    ReactorNotRestartable,
    ReactorAlreadyRunning,
    ReactorAlreadyInstalledError,
    UnsupportedAddressFamily,
    UnsupportedSocketType,
    InvalidAddressError,
    FileDescriptorOverrun,
    NoProtocol,
    ProcessDone,
    ProcessTerminated,
    ProcessExitedAlready,
  ]
) NAMED.add(c);
