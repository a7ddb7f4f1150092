/**
 * Protocol factories: Twisted's `Factory`, `ServerFactory` and
 * `ClientFactory` (from `twisted/internet/protocol.py`).
 *
 * A {@linkcode Factory} makes one protocol per connection and holds the state
 * they share; a {@linkcode ClientFactory} also hears how connection attempts
 * went.
 *
 * @example An echo server factory
 * ```ts
 * import assert from "node:assert/strict";
 * import { Factory, Protocol } from "@skein/skein/protocols";
 * import { IPv4Address } from "@skein/skein/reactor";
 *
 * class Echo extends Protocol {
 *   override dataReceived(data: Uint8Array): void {
 *     this.transport!.write(data);
 *   }
 * }
 * const factory = Factory.forProtocol(Echo);
 * const proto = factory.buildProtocol(new IPv4Address("TCP", "127.0.0.1", 5000));
 * assert.ok(proto instanceof Echo);
 * assert.equal(proto.factory, factory);
 * ```
 *
 * @module
 */

import type { Failure } from "../deferred/failure.ts";
import type {
  IAddress,
  IClientFactory,
  IConnector,
  IProtocol,
  IProtocolFactory,
} from "../interfaces.ts";
import { msgWith } from "../log/log.ts";
import type { ProtocolClass } from "./protocol.ts";

/**
 * Makes protocols for connections, and holds their shared state: Twisted's
 * `Factory`.
 *
 * Set {@linkcode Factory.protocol} (or use {@linkcode Factory.forProtocol});
 * `buildProtocol` instantiates it and sets `p.factory`. Ports and connectors
 * call `doStart()`/`doStop()`; the first start calls `startFactory()` and the
 * last stop calls `stopFactory()`, however many ports share the factory.
 *
 * @example A factory counting its connections
 * ```ts
 * import assert from "node:assert/strict";
 * import { Factory, Protocol } from "@skein/skein/protocols";
 * import { IPv4Address } from "@skein/skein/reactor";
 * import { StringTransport } from "@skein/skein/testing";
 *
 * class Counter extends Factory {
 *   connections = 0;
 *   override protocol = class extends Protocol {
 *     override connectionMade(): void {
 *       (this.factory as Counter).connections++;
 *     }
 *   };
 * }
 * const factory = new Counter();
 * factory.noisy = false;
 * for (let i = 0; i < 2; i++) {
 *   factory.buildProtocol(new IPv4Address("TCP", "127.0.0.1", 5000 + i))!
 *     .makeConnection(new StringTransport());
 * }
 * assert.equal(factory.connections, 2);
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
   * import assert from "node:assert/strict";
   * import { ClientFactory, Protocol } from "@skein/skein/protocols";
   *
   * const f: ClientFactory = ClientFactory.forProtocol(Protocol);
   * assert.equal(f.protocol, Protocol);
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
      if (this.noisy) msgWith({ system: this.logPrefix() }, `Starting factory ${this.toString()}`);
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
      if (this.noisy) msgWith({ system: this.logPrefix() }, `Stopping factory ${this.toString()}`);
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
 * import assert from "node:assert/strict";
 * import { Factory, Protocol, ServerFactory } from "@skein/skein/protocols";
 *
 * const f: ServerFactory = ServerFactory.forProtocol(Protocol);
 * assert.ok(f instanceof Factory);
 * ```
 */
export class ServerFactory extends Factory {}

/**
 * A factory for client connections: Twisted's `ClientFactory`. Connectors
 * report the attempt's progress to its hooks; calling `connector.connect()`
 * from `clientConnectionFailed`/`clientConnectionLost` retries.
 *
 * @example Hearing that an attempt failed
 * ```ts
 * import assert from "node:assert/strict";
 * import type { Failure } from "@skein/skein/deferred";
 * import { ClientFactory, Protocol } from "@skein/skein/protocols";
 * import type { IConnector } from "@skein/skein/reactor";
 * import { ConnectionCompleter, MemoryReactor } from "@skein/skein/testing";
 *
 * class Client extends ClientFactory {
 *   override protocol = Protocol;
 *   failures: string[] = [];
 *   override clientConnectionFailed(_c: IConnector, reason: Failure): void {
 *     this.failures.push(reason.getErrorMessage());
 *   }
 * }
 * const reactor = new MemoryReactor();
 * const factory = new Client();
 * reactor.connectTCP("127.0.0.1", 4000, factory);
 * new ConnectionCompleter(reactor).failOnce();
 * assert.equal(factory.failures.length, 1);
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
