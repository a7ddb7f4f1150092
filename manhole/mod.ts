/**
 * The manhole: a REPL into the running app over Telnet, Twisted's
 * `twisted.conch.manhole` with `conch.telnet` and `conch.recvline`.
 *
 * `listenManhole({ reactor, listen, passwordFile, namespace })` opens it on a
 * loopback port or a Unix socket (mode 0600); whoever knows the password or
 * token (read from the file; there is no default) logs in with any Telnet
 * client and evaluates JavaScript in `namespace`, with `await`; a Deferred
 * result is shown as `<Deferred #1>` and again when it fires. `status()` in
 * the manhole shows the reactor's delayed calls, connections and their write
 * buffers, thread pool and processes. `manholeService(options)` is the same
 * as a service (`skein run --manhole tcp:127.0.0.1:4040`).
 *
 * @example Evaluating in a namespace, without a connection
 * ```ts
 * import assert from "node:assert/strict";
 * import { Evaluator } from "@skein/skein/manhole";
 *
 * const evaluator = new Evaluator({ counter: 1 });
 * await evaluator.evaluate("counter = counter + 1");
 * assert.equal(evaluator.namespace.counter, 2);
 * ```
 *
 * @module
 */
export * from "./auth.ts";
export * from "./evaluator.ts";
export * from "./line_editor.ts";
export * from "./listen.ts";
export * from "./plugin.ts";
export * from "./session.ts";
export * from "./status.ts";
