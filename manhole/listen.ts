/**
 * Opening the manhole: {@linkcode listenManhole} puts a
 * {@linkcode ManholeFactory} on a loopback TCP port or a Unix socket, and
 * {@linkcode manholeService} wraps that as a service for an application.
 *
 * Secure by default: the secret comes from a file only its owner can read
 * (there is no default password), TCP listens on a loopback address only
 * (127.0.0.0/8, ::1; a bare port means 127.0.0.1), and a Unix socket is
 * created with mode 0600. Any other interface, or a wider socket mode, is
 * refused with {@linkcode ManholeListenError} unless
 * `dangerouslyAllowRemoteAccess: true` is passed; remember that whoever logs
 * in runs code as the app.
 *
 * Where to listen is a string: `tcp:PORT`, `tcp:HOST:PORT` (`tcp:[::1]:PORT`
 * for IPv6), Twisted's `tcp:PORT:interface=HOST`, or `unix:PATH`
 * (`unix:PATH:mode=600`).
 *
 * @example A manhole on a free loopback port, reached with a real socket
 * ```ts
 * import assert from "node:assert/strict";
 * import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * import { listenManhole } from "@skein/skein/manhole";
 * import { createReactor } from "@skein/skein/reactor";
 *
 * const dir = mkdtempSync(join(tmpdir(), "manhole-"));
 * writeFileSync(join(dir, "secret"), "s3cret\n", { mode: 0o600 });
 * const reactor = createReactor();
 * const port = listenManhole({
 *   reactor,
 *   listen: "tcp:0",
 *   passwordFile: join(dir, "secret"),
 *   namespace: { answer: 42 },
 * });
 * assert.match(String(port.getHost()), /127\.0\.0\.1/);
 * reactor.callLater(0, () => port.stopListening().addCallback(() => reactor.stop()));
 * await reactor.run();
 * rmSync(dir, { recursive: true });
 * ```
 *
 * @module
 */

import { chmodSync } from "node:fs";
import { Service } from "../application/service.ts";
import type { Deferred } from "../deferred/deferred.ts";
import type { IListeningPort, IReactorTCP, IReactorTime, IReactorUNIX } from "../interfaces.ts";
import { Logger } from "../logger/logger.ts";
import { readSecretFile, SecretChecker } from "./auth.ts";
import { ManholeFactory, type ManholeFactoryOptions } from "./session.ts";

const log = new Logger({ namespace: "skein.manhole" });

/**
 * The manhole cannot listen as asked: the message says what to change.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ManholeListenError, parseManholeEndpoint } from "@skein/skein/manhole";
 * assert.throws(() => parseManholeEndpoint("tcp:0.0.0.0:4040"), ManholeListenError);
 * ```
 */
export class ManholeListenError extends Error {
  /** An error about listening. */
  constructor(message: string) {
    super(message);
    this.name = "ManholeListenError";
  }
}

/**
 * Where the manhole listens, parsed.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { ManholeEndpoint } from "@skein/skein/manhole";
 * const at: ManholeEndpoint = { kind: "tcp", host: "127.0.0.1", port: 4040 };
 * assert.equal(at.kind, "tcp");
 * ```
 */
export type ManholeEndpoint =
  | { kind: "tcp"; host: string; port: number; }
  | { kind: "unix"; path: string; mode: number; };

/**
 * Is `host` a loopback address (127.0.0.0/8, ::1, `localhost`)?
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isLoopback } from "@skein/skein/manhole";
 * assert.equal(isLoopback("127.0.0.2"), true);
 * assert.equal(isLoopback("::1"), true);
 * assert.equal(isLoopback("192.168.1.5"), false);
 * assert.equal(isLoopback(""), false); // all interfaces
 * ```
 */
export function isLoopback(host: string): boolean {
  if (host === "localhost" || host === "::1" || host === "0:0:0:0:0:0:0:1") return true;
  const v4 = host.replace(/^::ffff:/i, "");
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(v4);
}

/**
 * Parse where to listen (see the module documentation for the forms). Throws
 * {@linkcode ManholeListenError} for a malformed string, a non-loopback
 * interface or a Unix mode wider than 0600, unless `dangerouslyAllowRemoteAccess`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseManholeEndpoint } from "@skein/skein/manhole";
 * assert.deepEqual(parseManholeEndpoint("tcp:4040"), { kind: "tcp", host: "127.0.0.1", port: 4040 });
 * assert.deepEqual(parseManholeEndpoint("tcp:[::1]:4040"), { kind: "tcp", host: "::1", port: 4040 });
 * assert.deepEqual(parseManholeEndpoint("tcp:4040:interface=127.0.0.1"), {
 *   kind: "tcp",
 *   host: "127.0.0.1",
 *   port: 4040,
 * });
 * assert.deepEqual(parseManholeEndpoint("unix:/run/app/manhole.sock"), {
 *   kind: "unix",
 *   path: "/run/app/manhole.sock",
 *   mode: 0o600,
 * });
 * ```
 */
export function parseManholeEndpoint(
  description: string,
  options: { dangerouslyAllowRemoteAccess?: boolean; } = {},
): ManholeEndpoint {
  const allow = options.dangerouslyAllowRemoteAccess === true;
  const bad = (why: string): ManholeListenError =>
    new ManholeListenError(
      `cannot listen on ${JSON.stringify(description)}: ${why}; write tcp:PORT (127.0.0.1), `
        + `tcp:127.0.0.1:PORT, tcp:[::1]:PORT or unix:PATH`,
    );
  let endpoint: ManholeEndpoint;
  let m: RegExpMatchArray | null;
  if ((m = description.match(/^tcp:(\d+)(?::interface=(.*))?$/)) !== null) {
    endpoint = { kind: "tcp", host: (m[2] ?? "127.0.0.1").replace(/\\:/g, ":"), port: +m[1] };
  } else if ((m = description.match(/^tcp:(?:\[([^\]]+)\]|([^:[\]]*)):(\d+)$/)) !== null) {
    endpoint = { kind: "tcp", host: m[1] ?? m[2], port: +m[3] };
  } else if ((m = description.match(/^unix:(.+?)(?::mode=([0-7]{3,4}))?$/)) !== null) {
    endpoint = { kind: "unix", path: m[1], mode: m[2] === undefined ? 0o600 : parseInt(m[2], 8) };
  } else {
    throw bad("not a manhole endpoint");
  }
  if (endpoint.kind === "tcp") {
    if (endpoint.port > 65535) throw bad(`port ${endpoint.port} is out of range`);
    if (!isLoopback(endpoint.host) && !allow) {
      throw bad(
        `${endpoint.host === "" ? "all interfaces" : endpoint.host} is not a loopback address, `
          + "and the manhole runs code as the app (pass dangerouslyAllowRemoteAccess: true "
          + "only behind your own protection)",
      );
    }
  } else if ((endpoint.mode & 0o077) !== 0 && !allow) {
    throw bad(`mode 0${endpoint.mode.toString(8)} lets others connect; use mode=600`);
  }
  return endpoint;
}

/**
 * Options of {@linkcode listenManhole} and {@linkcode manholeService}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { ListenManholeOptions } from "@skein/skein/manhole";
 * import { createReactor } from "@skein/skein/reactor";
 * const options: ListenManholeOptions = {
 *   reactor: createReactor(),
 *   listen: "tcp:127.0.0.1:4040",
 *   passwordFile: "/etc/app/manhole.secret",
 * };
 * assert.equal(options.listen, "tcp:127.0.0.1:4040");
 * ```
 */
export interface ListenManholeOptions extends Omit<ManholeFactoryOptions, "checker" | "reactor"> {
  /** The reactor to listen on; `status()` describes it. */
  reactor: IReactorTime & IReactorTCP & IReactorUNIX;
  /** Where: `tcp:PORT`, `tcp:HOST:PORT`, `tcp:PORT:interface=HOST` or `unix:PATH`. */
  listen: string;
  /** A file whose first line is the password or token (mode 0600). */
  passwordFile: string;
  /** Listen beyond loopback, or with a wider socket mode. Think twice. @default {false} */
  dangerouslyAllowRemoteAccess?: boolean;
}

/**
 * Open the manhole: read the secret, check where to listen, and listen.
 * Throws `SecretFileError`, {@linkcode ManholeListenError}, or the reactor's
 * `CannotListenError`.
 *
 * @example A Unix socket, created with mode 0600
 * ```ts
 * import assert from "node:assert/strict";
 * import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * import { listenManhole } from "@skein/skein/manhole";
 * import { createReactor } from "@skein/skein/reactor";
 *
 * const dir = mkdtempSync(join(tmpdir(), "manhole-"));
 * writeFileSync(join(dir, "secret"), "s3cret\n", { mode: 0o600 });
 * const reactor = createReactor();
 * const port = listenManhole({
 *   reactor,
 *   listen: `unix:${join(dir, "manhole.sock")}`,
 *   passwordFile: join(dir, "secret"),
 * });
 * assert.equal(statSync(join(dir, "manhole.sock")).mode & 0o777, 0o600);
 * reactor.callLater(0, () => port.stopListening().addCallback(() => reactor.stop()));
 * await reactor.run();
 * rmSync(dir, { recursive: true });
 * ```
 */
export function listenManhole(options: ListenManholeOptions): IListeningPort {
  const endpoint = parseManholeEndpoint(options.listen, options);
  const checker = new SecretChecker(readSecretFile(options.passwordFile));
  const factory = new ManholeFactory({ ...options, checker });
  if (endpoint.kind === "tcp") {
    return options.reactor.listenTCP(endpoint.port, factory, { interface: endpoint.host });
  }
  const port = options.reactor.listenUNIX(endpoint.path, factory, { mode: endpoint.mode });
  // The mode is the file's, whatever the reactor's umask did.
  chmodSync(endpoint.path, endpoint.mode);
  return port;
}

/**
 * The manhole as a service: listens when started, stops listening when
 * stopped. What `skein run --manhole tcp:127.0.0.1:4040` adds to an
 * application.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * import { manholeService } from "@skein/skein/manhole";
 * import { createReactor } from "@skein/skein/reactor";
 *
 * const dir = mkdtempSync(join(tmpdir(), "manhole-"));
 * writeFileSync(join(dir, "secret"), "s3cret\n", { mode: 0o600 });
 * const reactor = createReactor();
 * const service = manholeService({
 *   reactor,
 *   listen: "tcp:0",
 *   passwordFile: join(dir, "secret"),
 * });
 * service.startService();
 * assert.match(String(service.port!.getHost()), /127\.0\.0\.1/);
 * reactor.callLater(0, async () => {
 *   await service.stopService();
 *   reactor.stop();
 * });
 * await reactor.run();
 * assert.equal(service.port, null);
 * rmSync(dir, { recursive: true });
 * ```
 */
export function manholeService(options: ListenManholeOptions): ManholeService {
  parseManholeEndpoint(options.listen, options); // refuse a bad endpoint now, not at start
  return new ManholeService(options);
}

/**
 * The service {@linkcode manholeService} makes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ManholeService } from "@skein/skein/manhole";
 * import { createReactor } from "@skein/skein/reactor";
 * const s = new ManholeService({ reactor: createReactor(), listen: "tcp:0", passwordFile: "/x" });
 * assert.equal(s.running, false);
 * ```
 */
export class ManholeService extends Service {
  /** The listening port while running. */
  port: IListeningPort | null = null;
  #options: ListenManholeOptions;

  /** A stopped service over `options`. */
  constructor(options: ListenManholeOptions) {
    super();
    this.#options = options;
    this.setName("manhole");
  }

  /** Listen, and log where (throws what {@linkcode listenManhole} throws). */
  override startService(): void {
    this.port = listenManhole(this.#options);
    log.info("manhole listening on {address}", { address: String(this.port.getHost()) });
    super.startService();
  }

  /** Stop listening; fires once the port is closed. */
  override stopService(): Deferred<unknown> | void {
    super.stopService();
    const port = this.port;
    this.port = null;
    return port?.stopListening();
  }
}
