/**
 * The opening and the end most TCP tests share: a client connected to a
 * fresh loopback port ({@linkcode tcpPair}; {@linkcode listenAndConnect} for
 * other factories, as the host suites' own), the accepted server protocol
 * ({@linkcode accepted}), a protocol that acts at `connectionMade`
 * ({@linkcode whenMade}), and closing both down ({@linkcode hangUp}).
 */

import type { Failure } from "../../deferred/failure.ts";
import type {
  ConnectTCPOptions,
  IClientFactory,
  IConnector,
  IListeningPort,
  IPAddress,
  IProtocol,
  IProtocolFactory,
  IReactorTCP,
} from "../../interfaces.ts";
import type { Reactor } from "../../reactor/install.ts";
import { ClientFactoryOf, portOf, Recorder, ServerFactoryOf, waitFor } from "./_helpers.ts";

/**
 * A protocol maker for a server or client factory: `make()`'s Recorder, with
 * `fn(p)` run at its `connectionMade` (a server that writes first, say).
 */
export function whenMade<P extends Recorder = Recorder>(
  fn: (p: P) => void,
  make: () => P = () => new Recorder() as P,
): () => P {
  return () => {
    const p = make();
    p.made.addCallback(() => {
      fn(p);
      return null;
    });
    return p;
  };
}

/** Where {@linkcode listenAndConnect} listens and how it connects. */
export interface ListenAndConnectOptions {
  /** The interface the port listens on (default 127.0.0.1). */
  interface?: string;
  /** The host the client dials (default: the interface). */
  connectTo?: string;
  /** Options for `connectTCP` (a `bindAddress`, say). */
  connect?: ConnectTCPOptions;
}

/**
 * Listen on port 0 of `interface` with `server` and start connecting
 * `client` to it; the caller waits for the connection its own factory's way.
 */
export function listenAndConnect(
  r: IReactorTCP,
  server: IProtocolFactory,
  client: IClientFactory,
  opts: ListenAndConnectOptions = {},
): { port: IListeningPort<IPAddress>; connector: IConnector; } {
  const iface = opts.interface ?? "127.0.0.1";
  const port = r.listenTCP(0, server, { interface: iface });
  const connector = r.connectTCP(opts.connectTo ?? iface, portOf(port), client, opts.connect);
  return { port, connector };
}

/** What {@linkcode tcpPair} builds, and where it listens and connects. */
export interface TCPPairOptions<S extends IProtocol, C extends IProtocol>
  extends ListenAndConnectOptions
{
  /** The server's protocols (default: a Recorder each). */
  server?: () => S;
  /** The client's protocol (default: a Recorder). */
  client?: () => C;
}

/** A client connected to a fresh listening TCP port, as {@linkcode tcpPair} sets them up. */
export interface TCPPair<S extends IProtocol, C extends IProtocol> {
  /** The server factory; `sf.built` holds the accepted protocols. */
  sf: ServerFactoryOf<S>;
  /** The listening port. */
  port: IListeningPort<IPAddress>;
  /** The client factory. */
  cf: ClientFactoryOf<C>;
  /** What `connectTCP` returned. */
  connector: IConnector;
  /** The client protocol, once connected. */
  client: C;
}

/**
 * Listen on port 0 of `interface` with a factory of `server()` protocols,
 * connect a `client()` protocol to it, and resolve once the client is
 * connected: the opening most TCP tests share.
 */
export async function tcpPair<S extends IProtocol = Recorder, C extends IProtocol = Recorder>(
  r: Reactor,
  opts: TCPPairOptions<S, C> = {},
): Promise<TCPPair<S, C>> {
  const sf = new ServerFactoryOf(opts.server ?? (() => new Recorder() as unknown as S));
  const cf = new ClientFactoryOf(opts.client ?? (() => new Recorder() as unknown as C));
  const { port, connector } = listenAndConnect(r, sf, cf, opts);
  return { sf, port, cf, connector, client: await cf.result };
}

/** The first protocol `factory` built, once it has built one (the accepted side). */
export async function accepted<P>(factory: { built: P[]; }): Promise<P> {
  await waitFor(() => factory.built.length > 0, 5000, "accept");
  return factory.built[0];
}

/**
 * The usual end of a connection test: close `client`'s connection, wait
 * until it is lost, and stop listening on `port`.
 */
export async function hangUp(
  client: { transport: { loseConnection(): void; } | null; lost: Promise<Failure>; },
  port: IListeningPort,
): Promise<void> {
  client.transport!.loseConnection();
  await client.lost;
  await port.stopListening();
}
