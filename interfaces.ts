/**
 * The contracts of Skein: the map of the whole system, as Twisted's
 * `twisted/internet/interfaces.py` is for Twisted.
 *
 * Every reactor, transport, protocol, producer and consumer in Skein is described
 * here as a TypeScript interface. Implementations live in their own folders
 * (`reactor/`, `protocols/`, `endpoints/`, `testing/`); code that only needs the
 * contract should import the type from here.
 *
 * @example Typing a function by contract, not by implementation
 * ```ts
 * import assert from "node:assert/strict";
 * import type { IReactorTime } from "@skein/skein/reactor";
 * import { Clock } from "@skein/skein/testing";
 *
 * function later(reactor: IReactorTime, fn: () => void): void {
 *   reactor.callLater(1, fn);
 * }
 * const clock = new Clock();
 * let ran = false;
 * later(clock, () => { ran = true; });
 * clock.advance(1);
 * assert.equal(ran, true);
 * ```
 *
 * The contracts live one area a file in `interfaces/`; this module is their
 * map and re-exports all of them, so implementations import from here:
 *
 * - `interfaces/address.ts`: Addresses: what `getHost()`/`getPeer()` return.
 * - `interfaces/time.ts`: Time: `callLater` and the calls it schedules.
 * - `interfaces/reactor_core.ts`: The reactor core: run/stop, system events, threads.
 * - `interfaces/descriptors.ts`: File descriptors: the layer transports are written against.
 * - `interfaces/producers.ts`: Producers and consumers: flow control.
 * - `interfaces/transports.ts`: Transports: what a protocol writes to.
 * - `interfaces/protocols.ts`: Protocols and factories.
 * - `interfaces/reactor_net.ts`: Reactor networking: TCP, Unix and UDP on the reactor.
 * - `interfaces/process.ts`: Processes, and the whole reactor (`IReactor`).
 * - `interfaces/endpoints.ts`: Endpoints: where to listen and what to connect to.
 * - `interfaces/application.ts`: Services and applications: what `skein run` starts.
 *
 * @module
 */

export type * from "./interfaces/address.ts";
export type * from "./interfaces/application.ts";
export type * from "./interfaces/descriptors.ts";
export type * from "./interfaces/endpoints.ts";
export type * from "./interfaces/process.ts";
export type * from "./interfaces/producers.ts";
export type * from "./interfaces/protocols.ts";
export type * from "./interfaces/reactor_core.ts";
export type * from "./interfaces/reactor_net.ts";
export type * from "./interfaces/time.ts";
export type * from "./interfaces/transports.ts";
