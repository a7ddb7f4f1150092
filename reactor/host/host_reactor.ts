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
  IProtocolFactory,
  IReactor,
  ListenTCPOptions,
  ListenUDPOptions,
  ListenUNIXOptions,
} from "../../interfaces.ts";
import * as log from "../../log/log.ts";
import type { UNIXAddress } from "../address.ts";
import { ConnectionLost } from "../errors.ts";
import { ReactorBase } from "../reactor_base.ts";
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
 * @example Echo server and client on loopback
 * ```ts ignore
 * import { HostReactor } from "./host_reactor.ts";
 * import { ClientFactory, Factory, Protocol } from "../../protocols/mod.ts";
 *
 * class Echo extends Protocol {
 *   override dataReceived(data: Uint8Array): void { this.transport!.write(data); }
 * }
 * const reactor = new HostReactor();
 * const port = reactor.listenTCP(0, Factory.forProtocol(Echo), { interface: "127.0.0.1" });
 * class Hello extends Protocol {
 *   override connectionMade(): void { this.transport!.write("hello"); }
 *   override dataReceived(data: Uint8Array): void {
 *     console.log(new TextDecoder().decode(data));
 *     reactor.stop();
 *   }
 * }
 * reactor.connectTCP("127.0.0.1", port.getHost().port, ClientFactory.forProtocol(Hello));
 * await reactor.run();
 * ```
 */
export class HostReactor extends ReactorBase implements IReactor, HostReactorLike {
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
   * ```ts ignore
   * const p = reactor.listenTCP(8080, factory, { interface: "127.0.0.1", backlog: 128 });
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
   * ```ts ignore
   * reactor.connectTCP("127.0.0.1", 8080, clientFactory, { timeout: 5 });
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
   * ```ts ignore
   * reactor.listenUNIX("/tmp/app.sock", factory, { mode: 0o600, wantPID: true });
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
   * ```ts ignore
   * reactor.connectUNIX("/tmp/app.sock", clientFactory, { checkPID: true });
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
   * @example
   * ```ts ignore
   * const udp = reactor.listenUDP(0, new MyDatagramProtocol(), { interface: "127.0.0.1" });
   * ```
   */
  listenUDP(port: number, protocol: IDatagramProtocol, options?: ListenUDPOptions): HostUDPPort {
    const p = new HostUDPPort(this, port, protocol, options);
    p.startListening();
    return p;
  }
}
