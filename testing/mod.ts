/**
 * Test helpers, as in Twisted's `twisted.internet.testing`: `StringTransport`
 * records what a protocol writes, `MemoryReactor` records what it asks a reactor
 * for, and `Clock` makes time deterministic. And Twisted's trial on `node:test`:
 * `TestCase` / `SynchronousTestCase` classes whose `test*` methods
 * `runTests(MyTests)` registers (so a file runs under `deno test` and `bun
 * test`), with fixtures, cleanups, timeouts, a fresh reactor per test checked
 * for leftovers (`DirtyReactorAggregateError`), logged errors that fail the
 * test unless flushed, and the Deferred assertions (`successResultOf`, …).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { StringTransport } from "@skein/skein/testing";
 * import { Protocol } from "@skein/skein/protocols";
 *
 * class Hello extends Protocol {
 *   override connectionMade(): void {
 *     this.transport!.write("hello");
 *   }
 * }
 * const t = new StringTransport();
 * new Hello().makeConnection(t);
 * assert.equal(t.valueString(), "hello");
 * ```
 *
 * @module
 */
export { Clock } from "../task/clock.ts";
export * from "./accumulating_protocol.ts";
export * from "./assertions.ts";
export * from "./event_logging_observer.ts";
export * from "./iosim.ts";
export * from "./line_sending_protocol.ts";
export * from "./memory_process.ts";
export * from "./memory_reactor.ts";
export * from "./string_transport.ts";
export * from "./tcp_options_recorder.ts";
export * from "./test_case.ts";
export * from "./test_outcome.ts";
