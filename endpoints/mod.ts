/**
 * Endpoints: Twisted's `twisted.internet.endpoints`. Describe where to listen or
 * connect as an object or as a string (`"tcp:8080:interface=127.0.0.1"`,
 * `"unix:/run/app.sock"`, `"tcp:host=example.com:port=80"`), then `listen(factory)` or
 * `connect(factory)` and get a Deferred.
 *
 * @example
 * ```ts ignore
 * import { clientFromString, connectProtocol, serverFromString } from "@skein/skein/endpoints";
 * import { reactor } from "@skein/skein/reactor";
 *
 * const port = await serverFromString(reactor, "tcp:0:interface=127.0.0.1").listen(factory);
 * const proto = await connectProtocol(clientFromString(reactor, "tcp:host=localhost:port=8080"), new MyProtocol());
 * ```
 *
 * @module
 */
export * from "./connect_protocol.ts";
export * from "./errors.ts";
export * from "./from_string.ts";
export * from "./hostname.ts";
export * from "./tcp.ts";
export * from "./unix.ts";
