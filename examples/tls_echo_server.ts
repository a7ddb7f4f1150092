/**
 * The echo server over TLS, from an `ssl:` endpoint description: the same
 * `EchoProtocol` as `echo_server.ts`, with TLS underneath (the protocol does
 * not change).
 *
 * Run it: `deno run -A examples/tls_echo_server.ts 8443 key.pem cert.pem`
 * (or `bun examples/tls_echo_server.ts …`). Make a certificate first, e.g.
 * `openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes
 * -keyout key.pem -out cert.pem -days 30 -subj /CN=localhost -addext
 * subjectAltName=DNS:localhost`. It listens on 127.0.0.1:PORT and runs
 * until SIGTERM or SIGINT.
 *
 * @module
 */

import { serverFromString } from "../endpoints/mod.ts";
import { quoteStringArgument } from "../endpoints/mod.ts";
import { reactor } from "../reactor/mod.ts";
import { EchoFactory } from "./echo_server.ts";

/**
 * The `ssl:` description this server listens with.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { tlsEchoDescription } from "./tls_echo_server.ts";
 * assert.equal(
 *   tlsEchoDescription(8443, "/k.pem", "/c.pem"),
 *   "ssl:8443:privateKey=/k.pem:certKey=/c.pem:interface=127.0.0.1",
 * );
 * ```
 */
export function tlsEchoDescription(port: number, keyFile: string, certFile: string): string {
  return `ssl:${port}:privateKey=${quoteStringArgument(keyFile)}:certKey=${
    quoteStringArgument(certFile)
  }:interface=127.0.0.1`;
}

if (import.meta.main) {
  const args = (globalThis as { Deno?: { args: string[]; }; }).Deno?.args
    ?? (globalThis as { process?: { argv: string[]; }; }).process?.argv.slice(2) ?? [];
  const [port = "8443", key = "key.pem", cert = "cert.pem"] = args;
  const endpoint = serverFromString(reactor, tlsEchoDescription(Number(port), key, cert));
  endpoint.listen(new EchoFactory()).addCallbacks(
    (listening) =>
      console.error(`tls echo server on ${listening.getHost()} (${reactor.kind} reactor)`),
    (failure) => {
      console.error(`cannot listen: ${failure.getErrorMessage()}`);
      reactor.stop();
    },
  );
  reactor.addSystemEventTrigger(
    "after",
    "shutdown",
    () => console.error("tls echo server stopped"),
  );
  await reactor.run();
}
