/**
 * An application for `skein run`: an echo server and a heartbeat, two
 * services under one `Application`, started in order and stopped in reverse.
 *
 * Run it in the foreground (logs on stdout, Ctrl-C or SIGTERM stops it):
 *
 *     deno run -A cli/main.ts run examples/app.ts --port 8000
 *     bun cli/main.ts run examples/app.ts --port 8000
 *
 * or as a daemon (pid in echo.pid, log in echo.log; `kill $(cat echo.pid)` stops it):
 *
 *     deno run -A cli/main.ts run --daemon --pidfile echo.pid --logfile echo.log examples/app.ts
 *
 * Options after the module: `--port N` (default 8000; 0 picks a free one),
 * `--interface ADDRESS` (default 127.0.0.1), `--heartbeat SECONDS` (default 60).
 *
 * @module
 */

import {
  Application,
  type StreamServerEndpointService,
  strports,
  TimerService,
} from "../application/mod.ts";
import type { ServiceMakerOptions } from "../cli/mod.ts";
import { UsageError } from "../cli/mod.ts";
import { Logger } from "../logger/mod.ts";
import { EchoFactory } from "./echo_server.ts";

const log = new Logger({ namespace: "examples.app" });

function option(argv: readonly string[], name: string, fallback: string): string {
  const at = argv.indexOf(name);
  if (at < 0) return fallback;
  const value = argv[at + 1];
  if (value === undefined) throw new UsageError(`${name} needs a value`);
  return value;
}

/**
 * The echo application: `strports.service` listening with the echo
 * factory, and a `TimerService` logging how many connections it has served.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { defaultRunnerOptions } from "@skein/skein/cli";
 * import { PosixReactor } from "@skein/skein/reactor";
 * import { makeService } from "./app.ts";
 *
 * const reactor = new PosixReactor("poll");
 * const app = makeService({ argv: ["--port", "8123"], reactor, runner: defaultRunnerOptions() });
 * assert.deepEqual(app.services().map((s) => s.name), ["echo", "heartbeat"]);
 * ```
 */
export function makeService(options: ServiceMakerOptions): Application {
  const port = Number(option(options.argv, "--port", "8000"));
  const iface = option(options.argv, "--interface", "127.0.0.1");
  const heartbeat = Number(option(options.argv, "--heartbeat", "60"));
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new UsageError("--port takes 0 to 65535");
  }
  if (!(heartbeat > 0)) throw new UsageError("--heartbeat takes a number of seconds > 0");
  const application = new Application("echo-app");
  const factory = new EchoFactory();
  let connections = 0;
  const build = factory.buildProtocol.bind(factory);
  factory.buildProtocol = (addr) => {
    connections++;
    return build(addr);
  };
  const echo: StreamServerEndpointService = strports.service(
    `tcp:${port}:interface=${iface}`,
    factory,
    { reactor: options.reactor },
  );
  echo.setName("echo");
  echo.setServiceParent(application);
  options.reactor.callWhenRunning(async () => {
    const listening = await echo.whenListening();
    log.info("echo listening on {host}:{port}", {
      host: iface,
      port: (listening.getHost() as { port?: number; }).port,
    });
  });
  const timer = new TimerService(
    heartbeat,
    () => log.info("heartbeat: {connections} connections so far", { connections }),
  );
  timer.clock = options.reactor;
  timer.setName("heartbeat");
  timer.setServiceParent(application);
  return application;
}
