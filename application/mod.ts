/**
 * Services and applications: Twisted's `twisted.application`. A program is a
 * tree of services (`Service`, `MultiService`, under an `Application`) that
 * start in order when the reactor runs and stop in reverse order, waiting for
 * their Deferreds, before it shuts down (`startApplication`). `skein run`
 * (`@skein/skein/cli`) runs a module that exports such an `application`.
 *
 * - `strports.service("tcp:8080", factory)` / `StreamServerEndpointService`:
 *   listen while running.
 * - `TimerService`: call something every so often.
 * - `ClientService`: keep a connection up, reconnecting with backoff;
 *   `whenConnected()` gives the protocol.
 *
 * @example An application with a listening service, run on a reactor
 * ```ts
 * import assert from "node:assert/strict";
 * import { Application, startApplication, strports } from "@skein/skein/application";
 * import { Factory, Protocol } from "@skein/skein/protocols";
 * import { createReactor } from "@skein/skein/reactor";
 *
 * class Echo extends Protocol {
 *   override dataReceived(data: Uint8Array): void {
 *     this.transport!.write(data);
 *   }
 * }
 * const reactor = createReactor();
 * const factory = Factory.forProtocol(Echo);
 * factory.noisy = false;
 * const application = new Application("echo");
 * const echo = strports.service("tcp:0:interface=127.0.0.1", factory, { reactor });
 * echo.setServiceParent(application);
 * startApplication(application, reactor);
 * reactor.callWhenRunning(reactor.stop);
 * await reactor.run();
 * assert.equal(echo.running, false);
 * ```
 *
 * @module
 */
export type { IProcess, IService, IServiceCollection } from "../interfaces.ts";
export * from "./application.ts";
export * from "./backoff_policy.ts";
export * from "./client_service.ts";
export * from "./errors.ts";
export * from "./multi_service.ts";
export * from "./process_monitor.ts";
export * from "./service.ts";
export * from "./stream_server_endpoint_service.ts";
export * as strports from "./strports.ts";
export type { StrportsOptions } from "./strports.ts";
export * from "./timer_service.ts";
