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
  ConnectTCPOptions,
  ConnectUNIXOptions,
  IClientFactory,
  IConnector,
  IDatagramProtocol,
  IListeningPort,
  IPAddress,
  IProcessProtocol,
  IProtocolFactory,
  IReactor,
  IReactorProcess,
  ListenTCPOptions,
  ListenUDPOptions,
  ListenUNIXOptions,
  SpawnProcessOptions,
} from "../../interfaces.ts";
import * as log from "../../log/log.ts";
import type { UNIXAddress } from "../address.ts";
import { ConnectionLost } from "../errors.ts";
import { ReactorBase } from "../reactor_base.ts";
import { HostProcess } from "./process.ts";
import { HostTCPConnector, HostTCPPort } from "./tcp.ts";
import type { HostReactorLike, HostSelectable } from "./types.ts";
import { HostUDPPort } from "./udp.ts";
import { HostUNIXConnector, HostUNIXPort } from "./unix.ts";

/**
 * A reactor whose I/O is the host runtime's own sockets: Twisted's reactor
 * contract (`run`/`stop`, triggers, `callLater`, `callFromThread`, `resolve`
 * from {@linkcode ReactorBase}) plus TCP, Unix and UDP with the same semantics
 * as the FFI reactors. It needs no poller and no FFI: the runtime's event loop
 * delivers socket events, and the reactor holds the process open only while
 * it runs (its sockets never hold it open by themselves), so a script exits
 * after `stop()`.
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
export class HostReactor extends ReactorBase implements IReactor, IReactorProcess, HostReactorLike {
  /** Always `"host"`. */
  readonly kind: string = "host";

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
   * Listen on TCP `port` (0 picks a free one; read it back with
   * `getHost().port`). Throws `CannotListenError`.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Factory, Protocol } from "@skein/skein/protocols";
   * import { HostReactor } from "@skein/skein/reactor";
   *
   * const reactor = new HostReactor();
   * const factory = Factory.forProtocol(Protocol);
   * factory.noisy = false;
   * const port = reactor.listenTCP(0, factory, { interface: "127.0.0.1", backlog: 128 });
   * assert.ok(port.getHost().port > 0);
   * reactor.callWhenRunning(() => port.stopListening().addBoth(reactor.stop));
   * await reactor.run();
   * ```
   */
  listenTCP(
    port: number,
    factory: IProtocolFactory,
    options?: ListenTCPOptions,
  ): IListeningPort<IPAddress> {
    const p = new HostTCPPort(this, port, factory, options);
    p.startListening();
    return p;
  }

  /**
   * Connect to `host:port`; the outcome goes to the factory's hooks.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import type { Failure } from "@skein/skein/deferred";
   * import { ClientFactory, Factory, Protocol } from "@skein/skein/protocols";
   * import { HostReactor, type IConnector } from "@skein/skein/reactor";
   *
   * const reactor = new HostReactor();
   * const server = Factory.forProtocol(Protocol);
   * server.noisy = false;
   * const port = reactor.listenTCP(0, server, { interface: "127.0.0.1" });
   * class Quit extends Protocol {
   *   override connectionMade(): void {
   *     this.transport!.loseConnection();
   *   }
   * }
   * class OneShot extends ClientFactory {
   *   override protocol = Quit;
   *   ended = "";
   *   override clientConnectionLost(_connector: IConnector, reason: Failure): void {
   *     this.ended = reason.getErrorMessage();
   *     reactor.stop();
   *   }
   * }
   * const client = new OneShot();
   * client.noisy = false;
   * reactor.connectTCP("127.0.0.1", port.getHost().port, client, { timeout: 5 });
   * await reactor.run();
   * assert.equal(client.ended, "Connection was closed cleanly.");
   * ```
   */
  connectTCP(
    host: string,
    port: number,
    factory: IClientFactory,
    options?: ConnectTCPOptions,
  ): IConnector {
    const c = new HostTCPConnector(this, host, port, factory, options);
    c.connect();
    return c;
  }

  /**
   * Listen on the Unix socket `path`. Throws `CannotListenError`.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { mkdtempSync, rmSync } from "node:fs";
   * import { tmpdir } from "node:os";
   * import { join } from "node:path";
   * import { Factory, Protocol } from "@skein/skein/protocols";
   * import { HostReactor } from "@skein/skein/reactor";
   *
   * const dir = mkdtempSync(join(tmpdir(), "skein-"));
   * const path = join(dir, "app.sock");
   * const reactor = new HostReactor();
   * const factory = Factory.forProtocol(Protocol);
   * factory.noisy = false;
   * const port = reactor.listenUNIX(path, factory, { mode: 0o600 });
   * assert.equal(port.getHost().name, path);
   * reactor.callWhenRunning(() => port.stopListening().addBoth(reactor.stop));
   * await reactor.run();
   * rmSync(dir, { recursive: true });
   * ```
   */
  listenUNIX(
    path: string,
    factory: IProtocolFactory,
    options?: ListenUNIXOptions,
  ): IListeningPort<UNIXAddress> {
    const p = new HostUNIXPort(this, path, factory, options);
    p.startListening();
    return p;
  }

  /**
   * Connect to the Unix socket at `path`.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { mkdtempSync, rmSync } from "node:fs";
   * import { tmpdir } from "node:os";
   * import { join } from "node:path";
   * import { ClientFactory, Factory, Protocol } from "@skein/skein/protocols";
   * import { HostReactor } from "@skein/skein/reactor";
   *
   * const dir = mkdtempSync(join(tmpdir(), "skein-"));
   * const path = join(dir, "app.sock");
   * const reactor = new HostReactor();
   * const server = Factory.forProtocol(Protocol);
   * server.noisy = false;
   * reactor.listenUNIX(path, server);
   * let connected = false;
   * class Hi extends Protocol {
   *   override connectionMade(): void {
   *     connected = true;
   *     reactor.stop();
   *   }
   * }
   * const client = ClientFactory.forProtocol(Hi);
   * client.noisy = false;
   * reactor.connectUNIX(path, client, { timeout: 5 });
   * await reactor.run();
   * assert.equal(connected, true);
   * rmSync(dir, { recursive: true });
   * ```
   */
  connectUNIX(path: string, factory: IClientFactory, options?: ConnectUNIXOptions): IConnector {
    const c = new HostUNIXConnector(this, path, factory, options);
    c.connect();
    return c;
  }

  /**
   * Bind UDP `port` and deliver its datagrams to `protocol`. Throws
   * `CannotListenError` where the runtime binds synchronously (Deno); see
   * {@linkcode HostUDPPort} for Bun.
   *
   * @example A datagram to itself
   * ```ts
   * import assert from "node:assert/strict";
   * import { DatagramProtocol } from "@skein/skein/protocols";
   * import { HostReactor } from "@skein/skein/reactor";
   *
   * const reactor = new HostReactor();
   * const heard: string[] = [];
   * class Recorder extends DatagramProtocol {
   *   override datagramReceived(data: Uint8Array): void {
   *     heard.push(new TextDecoder().decode(data));
   *     reactor.stop();
   *   }
   * }
   * const protocol = new Recorder();
   * protocol.noisy = false;
   * const udp = reactor.listenUDP(0, protocol, { interface: "127.0.0.1" });
   * reactor.callWhenRunning(() => {
   *   udp.whenListening().addCallback(() => {
   *     udp.write("ping", ["127.0.0.1", udp.getHost().port]);
   *   });
   * });
   * await reactor.run();
   * assert.deepEqual(heard, ["ping"]);
   * ```
   */
  listenUDP(port: number, protocol: IDatagramProtocol, options?: ListenUDPOptions): HostUDPPort {
    const p = new HostUDPPort(this, port, protocol, options);
    p.startListening();
    return p;
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
