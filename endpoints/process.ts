/**
 * `ProcessEndpoint`: a client endpoint whose "connection" is a child
 * process's stdin and stdout (Twisted's `endpoints.ProcessEndpoint`), so a
 * protocol talks to a program exactly as it would over TCP; and
 * `StandardIOEndpoint`, a server endpoint on this process's own stdin and
 * stdout (Twisted's, and its `"stdio:"` string form).
 *
 * @module
 */

import { type Deferred, fail, succeed } from "../deferred/deferred.ts";
import type { Failure } from "../deferred/failure.ts";
import type {
  IProcessTransport,
  IProtocol,
  IProtocolFactory,
  IPullProducer,
  IPushProducer,
  IReactor,
  IReactorProcess,
  IStreamClientEndpoint,
  IStreamServerEndpoint,
  ITransport,
  SpawnProcessOptions,
} from "../interfaces.ts";
import * as log from "../log/log.ts";
import { PipeAddress, StandardIO, type StandardIOOptions } from "../process/standard_io.ts";
import { ProcessProtocol } from "../protocols/process_protocol.ts";
import { NoProtocol } from "./errors.ts";

/**
 * The address of a process "connection" (Twisted's `_ProcessAddress`): like
 * StandardIO's {@linkcode PipeAddress}, it has no parts.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ProcessAddress } from "@skein/skein/endpoints";
 *
 * assert.equal(`${new ProcessAddress()} ${new ProcessAddress().type}`, "ProcessAddress() PROCESS");
 * ```
 */
export class ProcessAddress extends PipeAddress {
  /** `ProcessAddress()`. */
  override toString(): string {
    return "ProcessAddress()";
  }
}

/**
 * What a {@linkcode ProcessEndpoint} does with the child's stderr (Twisted's
 * `StandardErrorBehavior`): `"log"` it (the default) or `"drop"` it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { StandardErrorBehavior } from "@skein/skein/endpoints";
 *
 * const quiet: StandardErrorBehavior = "drop";
 * assert.equal(quiet, "drop");
 * ```
 */
export type StandardErrorBehavior = "log" | "drop";

/**
 * Options of a {@linkcode ProcessEndpoint}: `spawnProcess`'s (the child's
 * stdio is always stdin, stdout and stderr pipes) and `errFlag`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { ProcessEndpointOptions } from "@skein/skein/endpoints";
 *
 * const options: ProcessEndpointOptions = { env: { LANG: "C" }, errFlag: "drop" };
 * assert.equal(options.errFlag, "drop");
 * ```
 */
export interface ProcessEndpointOptions extends Omit<SpawnProcessOptions, "childFDs"> {
  /** What to do with the child's stderr. @default {"log"} */
  errFlag?: StandardErrorBehavior;
}

/** The child as a stream transport: writes go to its stdin (Twisted's `_ProcessEndpointTransport`). */
class ProcessEndpointTransport implements ITransport<ProcessAddress> {
  readonly #process: IProcessTransport;
  #disconnecting = false;

  constructor(process: IProcessTransport) {
    this.#process = process;
  }

  get disconnecting(): boolean {
    return this.#disconnecting;
  }

  get bufferedAmount(): number {
    return this.#process.bufferedAmount;
  }

  write(data: Uint8Array | string): void {
    this.#process.write(data);
  }

  writeSequence(data: Iterable<Uint8Array | string>): void {
    this.#process.writeSequence(data);
  }

  loseConnection(): void {
    this.#disconnecting = true;
    this.#process.loseConnection();
  }

  registerProducer(producer: IPushProducer | IPullProducer, streaming: boolean): void {
    this.#process.registerProducer(producer, streaming);
  }

  unregisterProducer(): void {
    this.#process.unregisterProducer();
  }

  getPeer(): ProcessAddress {
    return new ProcessAddress();
  }

  getHost(): ProcessAddress {
    return new ProcessAddress();
  }
}

/** Connects the user's stream protocol to the child (Twisted's `_WrapIProtocol`). */
class WrapIProtocol extends ProcessProtocol {
  readonly #protocol: IProtocol;
  readonly #executable: string;
  readonly #errFlag: StandardErrorBehavior;

  constructor(protocol: IProtocol, executable: string, errFlag: StandardErrorBehavior) {
    super();
    this.#protocol = protocol;
    this.#executable = executable;
    this.#errFlag = errFlag;
  }

  override makeConnection(transport: IProcessTransport): void {
    super.makeConnection(transport);
    this.#protocol.makeConnection(new ProcessEndpointTransport(transport));
  }

  override outReceived(data: Uint8Array): void {
    this.#protocol.dataReceived(data);
  }

  override errReceived(data: Uint8Array): void {
    if (this.#errFlag === "log") {
      log.msg(
        `Process ${
          JSON.stringify(this.#executable)
        } wrote stderr unhandled by ${this.#protocol.constructor.name}: ${
          new TextDecoder().decode(data)
        }`,
      );
    }
  }

  override processEnded(reason: Failure): void {
    this.#protocol.connectionLost(reason);
  }
}

/**
 * A client endpoint that starts `executable` with `args` (`args[0]` is the
 * program's name, as for `spawnProcess`) and connects the factory's protocol
 * to its stdin and stdout; `connectionLost` hears how the child ended
 * (`ProcessDone` or `ProcessTerminated`). Stderr is logged, or dropped with
 * `errFlag: "drop"`. Twisted has no string form for it, and neither has
 * Skein.
 *
 * @example Talk to `cat` as to a server
 * ```ts
 * import assert from "node:assert/strict";
 * import type { Failure } from "@skein/skein/deferred";
 * import { ProcessEndpoint } from "@skein/skein/endpoints";
 * import { Factory, Protocol } from "@skein/skein/protocols";
 * import { PosixReactor, ProcessDone } from "@skein/skein/reactor";
 *
 * class Client extends Protocol {
 *   heard = "";
 *   reason: Failure | null = null;
 *   override connectionMade(): void {
 *     this.transport!.write("ping");
 *   }
 *   override dataReceived(data: Uint8Array): void {
 *     this.heard += new TextDecoder().decode(data);
 *     this.transport!.loseConnection();
 *   }
 *   override connectionLost(reason: Failure): void {
 *     this.reason = reason;
 *     reactor.stop();
 *   }
 * }
 * const reactor = new PosixReactor("poll");
 * const endpoint = new ProcessEndpoint(reactor, "cat", ["cat"]);
 * const client = await endpoint.connect<Client>(Factory.forProtocol(Client));
 * await reactor.run();
 * assert.equal(client.heard, "ping");
 * assert.ok(client.reason?.check(ProcessDone));
 * ```
 */
export class ProcessEndpoint implements IStreamClientEndpoint {
  /** The reactor that spawns the child. */
  readonly reactor: IReactorProcess;
  /** The program. */
  readonly executable: string;
  /** Its arguments, `args[0]` being its name. */
  readonly args: readonly string[];
  /** What happens to stderr. */
  readonly errFlag: StandardErrorBehavior;
  readonly #options: SpawnProcessOptions;

  /** Build the endpoint; nothing starts until `connect`. */
  constructor(
    reactor: IReactorProcess,
    executable: string,
    args: readonly string[] = [executable],
    options: ProcessEndpointOptions = {},
  ) {
    const { errFlag = "log", ...spawnOptions } = options;
    if (errFlag !== "log" && errFlag !== "drop") {
      throw new TypeError(
        `ProcessEndpoint: errFlag must be "log" or "drop", got ${JSON.stringify(errFlag)}`,
      );
    }
    this.reactor = reactor;
    this.executable = executable;
    this.args = [...args];
    this.errFlag = errFlag;
    this.#options = spawnOptions;
  }

  /**
   * Start the child and connect the factory's protocol to it; fires with the
   * protocol (already connected), or fails with why the child could not start.
   */
  connect<P extends IProtocol>(factory: IProtocolFactory): Deferred<P> {
    try {
      const protocol = factory.buildProtocol(new ProcessAddress());
      if (protocol === null) return fail<P>(new NoProtocol());
      this.reactor.spawnProcess(
        new WrapIProtocol(protocol, this.executable, this.errFlag),
        this.executable,
        this.args,
        this.#options,
      );
      return succeed(protocol as P);
    } catch (e) {
      return fail<P>(e);
    }
  }
}

/**
 * A server endpoint for this process's own stdin and stdout (Twisted's
 * `StandardIOEndpoint`; `serverFromString(reactor, "stdio:")` builds one):
 * `listen` builds one protocol and connects it through a
 * {@linkcode StandardIO}, and fires with that StandardIO, which is also its
 * "port" (`stopListening` loses the connection).
 *
 * @example Serve one protocol on stdin/stdout (files stand in for them here)
 * ```ts
 * import assert from "node:assert/strict";
 * import { closeSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * import process from "node:process";
 * import { StandardIOEndpoint } from "@skein/skein/endpoints";
 * import { StandardIO } from "@skein/skein/process";
 * import { Factory, Protocol } from "@skein/skein/protocols";
 * import { PosixReactor } from "@skein/skein/reactor";
 *
 * class Echo extends Protocol {
 *   override dataReceived(data: Uint8Array): void {
 *     this.transport!.write(data);
 *   }
 *   override connectionLost(): void {
 *     reactor.stop();
 *   }
 * }
 * const input = join(tmpdir(), `skein-stdio-endpoint-in-${process.pid}`);
 * const output = join(tmpdir(), `skein-stdio-endpoint-out-${process.pid}`);
 * writeFileSync(input, "echo me");
 * const stdin = openSync(input, "r");
 * const stdout = openSync(output, "w");
 * const reactor = new PosixReactor("poll");
 * const endpoint = new StandardIOEndpoint(reactor, { stdin, stdout });
 * const port = await endpoint.listen(Factory.forProtocol(Echo));
 * assert.ok(port instanceof StandardIO);
 * await reactor.run();
 * closeSync(stdin);
 * closeSync(stdout);
 * assert.equal(readFileSync(output, "utf8"), "echo me");
 * rmSync(input);
 * rmSync(output);
 * ```
 */
export class StandardIOEndpoint implements IStreamServerEndpoint<PipeAddress> {
  /** The reactor whose StandardIO it builds. */
  readonly reactor: IReactor;
  readonly #options: Omit<StandardIOOptions, "reactor">;

  /** Build the endpoint; nothing is read until `listen`. `options` as for {@linkcode StandardIO}. */
  constructor(reactor: IReactor, options: Omit<StandardIOOptions, "reactor"> = {}) {
    this.reactor = reactor;
    this.#options = { ...options };
  }

  /**
   * Build the factory's protocol (for a {@linkcode PipeAddress}) and connect
   * it to stdin and stdout; fires with the {@linkcode StandardIO}, or fails
   * with why it could not (no protocol, a bad fd).
   */
  listen(factory: IProtocolFactory): Deferred<StandardIO> {
    try {
      const protocol = factory.buildProtocol(new PipeAddress());
      if (protocol === null) return fail<StandardIO>(new NoProtocol());
      return succeed(new StandardIO(protocol, { ...this.#options, reactor: this.reactor }));
    } catch (e) {
      return fail<StandardIO>(e);
    }
  }
}
