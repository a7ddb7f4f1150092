/**
 * The last client: ask several echo servers at once and wait for all of them with a
 * `DeferredList`; one failing server does not spoil the others' answers.
 *
 * `deno run -A examples/echo_client_multi.ts 8000 8001 8002`
 *
 * @module
 */

import { DeferredList } from "../deferred/mod.ts";
import { reactor } from "../reactor/mod.ts";
import { getEcho } from "./echo_client_3.ts";

if (import.meta.main) {
  const args = (globalThis as { Deno?: { args: string[]; }; }).Deno?.args
    ?? (globalThis as { process?: { argv: string[]; }; }).process?.argv.slice(2) ?? [];
  const ports = (args.length ? args : ["8000"]).map(Number);
  const asks = ports.map((port, i) => getEcho(reactor, "127.0.0.1", port, `message ${i + 1}`));
  new DeferredList(asks, { consumeErrors: true }).addCallback((results) => {
    results.forEach(([ok, value], i) => {
      const what = ok ? JSON.stringify(value) : `failed: ${value.getErrorMessage()}`;
      console.log(`server ${ports[i]}: ${what}`);
    });
    reactor.stop();
  });
  await reactor.run();
}
