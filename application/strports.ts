/**
 * `strports`: Twisted's `application.strports`, a listening service from an
 * endpoint description string.
 *
 * @module
 */

import { serverFromString, type StringEndpointReactor } from "../endpoints/from_string.ts";
import type { IAddress, IProtocolFactory } from "../interfaces.ts";
import { reactor as globalReactor } from "../reactor/install.ts";
import { StreamServerEndpointService } from "./stream_server_endpoint_service.ts";

/**
 * Options for {@linkcode service}.
 *
 * @example
 * ```ts
 * import type { StrportsOptions } from "@skein/skein/application";
 * import { MemoryReactor } from "@skein/skein/testing";
 * const options: StrportsOptions = { reactor: new MemoryReactor() };
 * ```
 */
export interface StrportsOptions {
  /** The reactor to listen on (default: the global reactor). */
  reactor?: StringEndpointReactor;
}

/**
 * A {@linkcode StreamServerEndpointService} listening on the server endpoint
 * `description` describes (`"tcp:8080"`, `"tcp:0:interface=127.0.0.1"`,
 * `"unix:/run/app.sock"`; see `serverFromString`) with `factory`. As in
 * Twisted, a listen that fails at once (the port is taken) throws from
 * `privilegedStartService`, so the program does not start half up; a bad
 * description throws here.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Application, strports } from "@skein/skein/application";
 * import { Factory } from "@skein/skein/protocols";
 * import { MemoryReactor } from "@skein/skein/testing";
 *
 * const reactor = new MemoryReactor();
 * const application = new Application("web");
 * strports.service("tcp:8080:interface=127.0.0.1", new Factory(), { reactor }).setServiceParent(application);
 * application.startService();
 * assert.deepEqual([reactor.tcpServers[0][0], reactor.tcpServers[0][3]], [8080, "127.0.0.1"]);
 * await application.stopService();
 * ```
 */
export function service(
  description: string,
  factory: IProtocolFactory,
  options: StrportsOptions = {},
): StreamServerEndpointService<IAddress> {
  const endpoint = serverFromString(options.reactor ?? globalReactor, description);
  return new StreamServerEndpointService(endpoint, factory, { raiseSynchronously: true });
}
