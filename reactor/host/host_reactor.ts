/**
 * The host reactor: Skein's reactor for places where FFI is not allowed (Deno
 * without `--allow-ffi`, sandboxes, edge-style runtimes). Its sockets are the
 * runtime's own (`node:net`, `node:dgram`), which Deno and Bun both provide,
 * so one implementation serves both.
 *
 * @module
 */

import { Failure } from "../../deferred/failure.ts";
import type {
  IProcessProtocol,
  IReactor,
  IReactorProcess,
  SpawnProcessOptions,
} from "../../interfaces.ts";
import * as log from "../../log/log.ts";
import { ConnectionLost } from "../errors.ts";
import { type SocketClasses, SocketReactorBase } from "../socket_reactor_base.ts";
import { HostProcess } from "./process.ts";
import { HostTCPConnector, HostTCPPort } from "./tcp.ts";
import type { HostReactorLike, HostSelectable } from "./types.ts";
import { HostUDPPort } from "./udp.ts";
import { HostUNIXConnector, HostUNIXPort } from "./unix.ts";

/**
 * A reactor whose I/O is the host runtime's own sockets: Twisted's reactor
 * contract (`run`/`stop`, triggers, `callLater`, `callFromThread`, `resolve`
 * from {@linkcode ReactorBase}) plus TCP, Unix and UDP (from
 * {@linkcode SocketReactorBase}) with the same semantics as the FFI reactors.
 * It needs no poller and no FFI: the runtime's event loop delivers socket
 * events, and the reactor holds the process open only while it runs (its
 * sockets never hold it open by themselves), so a script exits after `stop()`.
 * `listenUDP` returns a {@linkcode HostUDPPort}.
 *
 * Needs `--allow-net` on Deno (plus `--allow-read`/`--allow-write` for Unix
 * sockets), and nothing on Bun.
 *
 * Every method works unbound (`reactor.callLater(1, reactor.stop)`), as on
 * every reactor.
 *
 * @example Echo server and client on loopback
 * ```ts
 * import assert from "node:assert/strict";
 * import { ClientFactory, Factory, Protocol } from "@skein/skein/protocols";
 * import { HostReactor } from "@skein/skein/reactor";
 *
 * class Echo extends Protocol {
 *   override dataReceived(data: Uint8Array): void {
 *     this.transport!.write(data);
 *   }
 * }
 * const reactor = new HostReactor();
 * const server = Factory.forProtocol(Echo);
 * server.noisy = false;
 * const port = reactor.listenTCP(0, server, { interface: "127.0.0.1" });
 * const heard: string[] = [];
 * class Hello extends Protocol {
 *   override connectionMade(): void {
 *     this.transport!.write("hello");
 *   }
 *   override dataReceived(data: Uint8Array): void {
 *     heard.push(new TextDecoder().decode(data));
 *     reactor.stop(); // closes the port and both connections
 *   }
 * }
 * const client = ClientFactory.forProtocol(Hello);
 * client.noisy = false;
 * reactor.connectTCP("127.0.0.1", port.getHost().port, client);
 * await reactor.run();
 * assert.deepEqual(heard, ["hello"]);
 * ```
 */
export class HostReactor extends SocketReactorBase<HostUDPPort>
  implements IReactor, IReactorProcess, HostReactorLike
{
  /** Always `"host"`. */
  readonly kind: string = "host";

  // protected: SocketReactorBase (the base class) builds the sockets from it.
  /** The runtime's own sockets: `node:net` for TCP and Unix, `node:dgram` for UDP. */
  protected override readonly sockets: SocketClasses<this, HostUDPPort> = {
    tcpPort: HostTCPPort,
    tcpConnector: HostTCPConnector,
    unixPort: HostUNIXPort,
    unixConnector: HostUNIXConnector,
    udpPort: HostUDPPort,
  };

  #selectables: Set<HostSelectable> = new Set();

  /** Register a live port, connection or connection attempt (for shutdown). */
  addSelectable(s: HostSelectable): void {
    this.#selectables.add(s);
  }

  /** Forget a port, connection or attempt that closed. */
  removeSelectable(s: HostSelectable): void {
    this.#selectables.delete(s);
  }

  /** The live ports, connections and attempts (for tests and diagnostics). */
  getSelectables(): HostSelectable[] {
    return [...this.#selectables];
  }

  /**
   * At `during shutdown`: every port, connection and attempt is lost with
   * `ConnectionLost`, as Twisted's `disconnectAll` does.
   */
  protected override disconnectAll(): void {
    const all = [...this.#selectables];
    this.#selectables.clear();
    for (const s of all) {
      try {
        s.connectionLost(new Failure(new ConnectionLost()));
      } catch (e) {
        log.err(e, "Error disconnecting at shutdown");
      }
    }
  }

  /**
   * Start `executable` with `args` (`args[0]` is the program's name) over
   * `node:child_process`, with the FFI reactor's callbacks and errors (see
   * {@linkcode HostProcess}); `usePTY` needs the FFI reactor.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { ProcessProtocol } from "@skein/skein/protocols";
   * import { HostReactor } from "@skein/skein/reactor";
   *
   * class Done extends ProcessProtocol {
   *   override processEnded(): void {
   *     reactor.stop();
   *   }
   * }
   * const reactor = new HostReactor();
   * const child = reactor.spawnProcess(new Done(), "true", ["true"]);
   * await reactor.run();
   * assert.equal(child.pid, null);
   * ```
   */
  spawnProcess(
    protocol: IProcessProtocol,
    executable: string,
    args: readonly string[],
    options?: SpawnProcessOptions,
  ): HostProcess {
    return new HostProcess(this, protocol, executable, args, options);
  }
}
