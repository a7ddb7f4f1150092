/**
 * Protocols and factories: Twisted's `twisted/internet/protocol.py`.
 *
 * A {@linkcode Protocol} reacts to the events of one connection
 * (`connectionMade`, `dataReceived`, `connectionLost`); a {@linkcode Factory}
 * makes one protocol per connection and holds the state they share. Client
 * factories ({@linkcode ClientFactory}, {@linkcode ReconnectingClientFactory})
 * also hear how connection attempts went. {@linkcode DatagramProtocol} is the
 * UDP counterpart.
 *
 * @example An echo server factory
 * ```ts
 * import { Factory, Protocol } from "./protocol.ts";
 *
 * class Echo extends Protocol {
 *   override dataReceived(data: Uint8Array): void {
 *     this.transport!.write(data);
 *   }
 * }
 * const factory: Factory = Factory.forProtocol(Echo);
 * ```
 *
 * @module
 */

import { Failure } from "../deferred/failure.ts";
import type {
  IAddress,
  IClientFactory,
  IConnector,
  IDatagramProtocol,
  IDelayedCall,
  IProtocol,
  IProtocolFactory,
  IReactorTime,
  ITransport,
  IUDPTransport,
} from "../interfaces.ts";
import { msgWith } from "../log/log.ts";
import { ConnectionDone, NotConnectingError } from "../reactor/errors.ts";
import { getReactor } from "../reactor/install.ts";

/**
 * A class whose instances are stream protocols, built with no arguments (what
 * {@linkcode Factory.protocol} holds).
 *
 * @example
 * ```ts
 * import { Protocol, type ProtocolClass } from "./protocol.ts";
 * const cls: ProtocolClass = Protocol;
 * ```
 */
export type ProtocolClass<P extends IProtocol = IProtocol> = new() => P;

function logMsg(system: string, text: string): void {
  msgWith({ system }, text);
}

/**
 * The reason a cleanly closed connection reports: a {@linkcode Failure} of
 * `ConnectionDone` (Twisted's `protocol.connectionDone`). Handy as a default
 * and in tests.
 *
 * @example
 * ```ts
 * import { connectionDone, Protocol } from "./protocol.ts";
 * import { ConnectionDone } from "../reactor/errors.ts";
 * new Protocol().connectionLost(connectionDone);
 * console.assert(connectionDone.check(ConnectionDone) !== null);
 * ```
 */
export const connectionDone: Failure = new Failure(new ConnectionDone());

/**
 * The base class of stream protocols: Twisted's `Protocol`.
 *
 * Override {@linkcode Protocol.connectionMade}, {@linkcode Protocol.dataReceived}
 * and {@linkcode Protocol.connectionLost}; write with `this.transport.write()`
 * (bytes, or a string sent as UTF-8). `dataReceived` gets arbitrary chunks:
 * one message may arrive in pieces, or several in one chunk (the classes of
 * `protocols/basic` do the framing).
 *
 * @example
 * ```ts
 * import { Protocol } from "./protocol.ts";
 *
 * class Greeter extends Protocol {
 *   override connectionMade(): void {
 *     this.transport!.write("hello\r\n");
 *     this.transport!.loseConnection();
 *   }
 * }
 * ```
 */
export class Protocol implements IProtocol {
  /** The transport, set by {@linkcode Protocol.makeConnection}; null before. */
  transport: ITransport | null = null;
  /** True once {@linkcode Protocol.makeConnection} has run (Twisted's `connected = 1`). */
  connected: boolean = false;
  /**
   * The factory that built this protocol (set by {@linkcode Factory.buildProtocol}).
   * A subclass can narrow it: `declare factory: MyFactory | null;`.
   */
  factory: Factory | null = null;

  /** Attach the transport, mark the protocol connected, then call `connectionMade()`. */
  makeConnection(transport: ITransport): void {
    this.connected = true;
    this.transport = transport;
    this.connectionMade();
  }

  /** The connection is up: send a greeting, start timers. The default does nothing. */
  connectionMade(): void {}

  /** Bytes arrived (any chunking). The default discards them. */
  dataReceived(_data: Uint8Array): void {}

  /**
   * The connection is gone. `reason` wraps `ConnectionDone` for a clean close,
   * else the error (`ConnectionLost`, `ConnectionAborted`, …). The default
   * does nothing.
   */
  connectionLost(_reason: Failure): void {}

  /** The name used in log lines: the class name. */
  logPrefix(): string {
    return this.constructor.name;
  }
}

/**
 * Makes protocols for connections, and holds their shared state: Twisted's
 * `Factory`.
 *
 * Set {@linkcode Factory.protocol} (or use {@linkcode Factory.forProtocol});
 * `buildProtocol` instantiates it and sets `p.factory`. Ports and connectors
 * call `doStart()`/`doStop()`; the first start calls `startFactory()` and the
 * last stop calls `stopFactory()`, however many ports share the factory.
 *
 * @example
 * ```ts
 * import { Factory, Protocol } from "./protocol.ts";
 *
 * class Counter extends Factory {
 *   connections = 0;
 *   override protocol = class extends Protocol {
 *     override connectionMade(): void {
 *       (this.factory as Counter).connections++;
 *     }
 *   };
 * }
 * ```
 */
export class Factory implements IProtocolFactory {
  /** The protocol class `buildProtocol` instantiates. */
  protocol: ProtocolClass | null = null;
  /** How many ports/connectors are using this factory now. */
  numPorts: number = 0;
  /** Log "Starting factory"/"Stopping factory" as ports come and go. */
  noisy: boolean = true;

  /**
   * Make a factory of this class (constructor arguments `args`) whose
   * `protocol` is `protocol`: Twisted's `Factory.forProtocol`.
   *
   * @example
   * ```ts
   * import { ClientFactory, Protocol } from "./protocol.ts";
   * const f: ClientFactory = ClientFactory.forProtocol(Protocol);
   * console.assert(f.protocol === Protocol);
   * ```
   */
  static forProtocol<F extends Factory, A extends unknown[]>(
    this: new(...args: A) => F,
    protocol: ProtocolClass,
    ...args: A
  ): F {
    const factory = new this(...args);
    factory.protocol = protocol;
    return factory;
  }

  /** The name used in log lines: the class name. */
  logPrefix(): string {
    return this.constructor.name;
  }

  /** Called by each port or connector as it starts using this factory; do not call it yourself. */
  doStart(): void {
    if (this.numPorts === 0) {
      if (this.noisy) logMsg(this.logPrefix(), `Starting factory ${this.toString()}`);
      this.startFactory();
    }
    this.numPorts += 1;
  }

  /** Called by each port or connector as it stops using this factory; do not call it yourself. */
  doStop(): void {
    // Twisted tolerates an unbalanced doStop rather than failing an assertion.
    if (this.numPorts === 0) return;
    this.numPorts -= 1;
    if (this.numPorts === 0) {
      if (this.noisy) logMsg(this.logPrefix(), `Stopping factory ${this.toString()}`);
      this.stopFactory();
    }
  }

  /** Runs once, before the first port or connector uses this factory. */
  startFactory(): void {}

  /** Runs once, after the last port or connector stopped using this factory. */
  stopFactory(): void {}

  /**
   * A protocol for a new connection with `addr`: an instance of
   * {@linkcode Factory.protocol} with `factory` set to this factory. Override
   * to customise; return null to refuse the connection.
   */
  buildProtocol(_addr: IAddress): IProtocol | null {
    const cls = this.protocol;
    if (cls === null) {
      throw new TypeError(
        `${this.constructor.name}.protocol is not set: assign a protocol class `
          + `(factory.protocol = MyProtocol) or use ${this.constructor.name}.forProtocol(MyProtocol)`,
      );
    }
    const p = new cls();
    (p as { factory?: unknown; }).factory = this;
    return p;
  }

  /** `<ClassName>`, for log lines. */
  toString(): string {
    return `<${this.constructor.name}>`;
  }
}

/**
 * A factory meant only for servers (a marker subclass, as in Twisted).
 *
 * @example
 * ```ts
 * import { Protocol, ServerFactory } from "./protocol.ts";
 * const f: ServerFactory = ServerFactory.forProtocol(Protocol);
 * ```
 */
export class ServerFactory extends Factory {}

/**
 * A factory for client connections: Twisted's `ClientFactory`. Connectors
 * report the attempt's progress to its hooks; calling `connector.connect()`
 * from `clientConnectionFailed`/`clientConnectionLost` retries.
 *
 * @example
 * ```ts
 * import { ClientFactory, Protocol } from "./protocol.ts";
 * import type { IConnector } from "../interfaces.ts";
 * import type { Failure } from "../deferred/failure.ts";
 *
 * class Client extends ClientFactory {
 *   override protocol = Protocol;
 *   override clientConnectionFailed(_c: IConnector, reason: Failure): void {
 *     console.log("failed:", reason.getErrorMessage());
 *   }
 * }
 * ```
 */
export class ClientFactory extends Factory implements IClientFactory {
  /** A connection attempt started; `connector.stopConnecting()` cancels it. */
  startedConnecting(_connector: IConnector): void {}

  /** The attempt failed (`ConnectionRefusedError`, `TimeoutError`, …). */
  clientConnectionFailed(_connector: IConnector, _reason: Failure): void {}

  /** An established connection was lost. */
  clientConnectionLost(_connector: IConnector, _reason: Failure): void {}
}

/**
 * A client factory that reconnects with exponential back-off: Twisted's
 * `ReconnectingClientFactory`.
 *
 * After each failed or lost connection, `retry()` multiplies `delay` by
 * `factor` (capped at `maxDelay`), perturbs it by a normal variate of
 * relative deviation `jitter`, and reconnects after that many seconds on
 * `clock`. Call {@linkcode ReconnectingClientFactory.resetDelay} once
 * connected (e.g. from `buildProtocol`), {@linkcode ReconnectingClientFactory.stopTrying}
 * to give up.
 *
 * @example
 * ```ts
 * import { Protocol, ReconnectingClientFactory } from "./protocol.ts";
 * import type { IAddress, IProtocol } from "../interfaces.ts";
 *
 * class Persistent extends ReconnectingClientFactory {
 *   override protocol = Protocol;
 *   override maxDelay = 60;
 *   override buildProtocol(addr: IAddress): IProtocol | null {
 *     this.resetDelay();
 *     return super.buildProtocol(addr);
 *   }
 * }
 * ```
 */
export class ReconnectingClientFactory extends ClientFactory {
  /** Longest wait between attempts, in seconds. */
  maxDelay: number = 3600;
  /** The delay before the first retry is `initialDelay * factor`. */
  initialDelay: number = 1.0;
  /** Growth of the delay per retry (e). */
  factor: number = 2.7182818284590451;
  /** Relative standard deviation of the random perturbation; 0 disables it. */
  jitter: number = 0.119626565582;
  /** The current delay. */
  delay: number = 1.0;
  /** Consecutive failed attempts so far. */
  retries: number = 0;
  /** Give up after this many consecutive retries; null for never. */
  maxRetries: number | null = null;
  /** The connector being retried. */
  connector: IConnector | null = null;
  /** Where retries are scheduled; null means the global reactor (bound at the first retry). */
  clock: IReactorTime | null = null;
  /** False once `stopTrying()` was called. */
  continueTrying: boolean = true;
  /** The scheduled reconnect, if any. */
  protected _callID: IDelayedCall | null = null;

  /** Retries when still trying. */
  override clientConnectionFailed(connector: IConnector, _reason: Failure): void {
    if (this.continueTrying) {
      this.connector = connector;
      this.retry();
    }
  }

  /** Retries when still trying. */
  override clientConnectionLost(connector: IConnector, _reason: Failure): void {
    if (this.continueTrying) {
      this.connector = connector;
      this.retry();
    }
  }

  /**
   * Schedule `connector.connect()` (default: the last connector) after the
   * next back-off delay. Does nothing after `stopTrying()` or past
   * `maxRetries`. Throws when there is no connector to retry.
   */
  retry(connector?: IConnector): void {
    if (!this.continueTrying) {
      if (this.noisy) {
        logMsg(this.logPrefix(), `Abandoning ${connector ?? this.connector} on explicit request`);
      }
      return;
    }
    let target = connector ?? null;
    if (target === null) {
      if (this.connector === null) {
        throw new TypeError(
          "no connector to retry: pass one to retry(connector), or let "
            + "clientConnectionFailed/clientConnectionLost record it",
        );
      }
      target = this.connector;
    }
    this.retries += 1;
    if (this.maxRetries !== null && this.retries > this.maxRetries) {
      if (this.noisy) {
        logMsg(this.logPrefix(), `Abandoning ${target} after ${this.retries} retries.`);
      }
      return;
    }
    this.delay = Math.min(this.delay * this.factor, this.maxDelay);
    if (this.jitter) this.delay = this.normalVariate(this.delay, this.delay * this.jitter);
    if (this.noisy) {
      logMsg(this.logPrefix(), `${target} will retry in ${Math.trunc(this.delay)} seconds`);
    }
    // As in Twisted, a factory without a clock schedules on the global reactor.
    this.clock ??= getReactor();
    const c = target;
    this._callID = this.clock.callLater(this.delay, () => {
      this._callID = null;
      c.connect();
    });
  }

  /** Cancel any scheduled reconnect, stop connecting, and never retry again (until `resetDelay()`). */
  stopTrying(): void {
    if (this._callID !== null) {
      this._callID.cancel();
      this._callID = null;
    }
    this.continueTrying = false;
    if (this.connector !== null) {
      try {
        this.connector.stopConnecting();
      } catch (e) {
        if (!(e instanceof NotConnectingError)) throw e;
      }
    }
  }

  /** Call after a successful connection: resets the delay and the retry count, and resumes trying. */
  resetDelay(): void {
    this.delay = this.initialDelay;
    this.retries = 0;
    this._callID = null;
    this.continueTrying = true;
  }

  /**
   * A normal variate with mean `mu` and standard deviation `sigma` (Python's
   * `random.normalvariate`); override for deterministic tests.
   */
  protected normalVariate(mu: number, sigma: number): number {
    // Box-Muller; 1 - random() lies in (0, 1], so the log is finite.
    const u1 = 1 - Math.random();
    const u2 = Math.random();
    return mu + sigma * Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }
}

/**
 * The base of datagram protocols: Twisted's `AbstractDatagramProtocol`. A
 * port calls `makeConnection(port)` as it starts (which calls `doStart()`)
 * and `doStop()` as it stops; the first start runs `startProtocol()` and the
 * last stop `stopProtocol()`.
 *
 * @example
 * ```ts
 * import { AbstractDatagramProtocol } from "./protocol.ts";
 * class Sink extends AbstractDatagramProtocol {}
 * console.assert(new Sink().numPorts === 0);
 * ```
 */
export class AbstractDatagramProtocol {
  /** The port, set by `makeConnection`; null when not bound. */
  transport: IUDPTransport | null = null;
  /** How many ports are using this protocol. */
  numPorts: number = 0;
  /** Log "Starting protocol"/"Stopping protocol". */
  noisy: boolean = true;

  /** Called by `makeConnection`; do not call it yourself. */
  doStart(): void {
    if (this.numPorts === 0) {
      if (this.noisy) logMsg(this.constructor.name, `Starting protocol ${this.toString()}`);
      this.startProtocol();
    }
    this.numPorts += 1;
  }

  /** Called by the port as it stops; do not call it yourself. */
  doStop(): void {
    if (this.numPorts <= 0) {
      throw new Error(`${this.constructor.name}.doStop() called more often than doStart()`);
    }
    this.numPorts -= 1;
    this.transport = null;
    if (this.numPorts === 0) {
      if (this.noisy) logMsg(this.constructor.name, `Stopping protocol ${this.toString()}`);
      this.stopProtocol();
    }
  }

  /** The transport is ready (runs once, even with several ports). */
  startProtocol(): void {}

  /** The last port stopped. */
  stopProtocol(): void {}

  /** Attach the port and start the protocol. Throws if a transport is already attached. */
  makeConnection(transport: IUDPTransport): void {
    if (this.transport !== null) {
      throw new Error(
        `${this.constructor.name} is already attached to a transport; `
          + "use one protocol instance per port",
      );
    }
    this.transport = transport;
    this.doStart();
  }

  /** A datagram arrived from `addr` (`[host, port]`). The default discards it. */
  datagramReceived(_data: Uint8Array, _addr: [string, number]): void {}

  /** `<ClassName>`, for log lines. */
  toString(): string {
    return `<${this.constructor.name}>`;
  }
}

/**
 * A UDP protocol: Twisted's `DatagramProtocol`.
 *
 * @example
 * ```ts
 * import { DatagramProtocol } from "./protocol.ts";
 *
 * class Echo extends DatagramProtocol {
 *   override datagramReceived(data: Uint8Array, addr: [string, number]): void {
 *     this.transport!.write(data, addr);
 *   }
 * }
 * ```
 */
export class DatagramProtocol extends AbstractDatagramProtocol implements IDatagramProtocol {
  /** The name used in log lines: the class name. */
  logPrefix(): string {
    return this.constructor.name;
  }

  /**
   * A connected UDP port got ICMP port-unreachable for an earlier write
   * (ECONNREFUSED). The default does nothing.
   */
  connectionRefused(): void {}
}
