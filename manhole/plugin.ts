/**
 * The manhole on the `skein` command line: the `skein manhole` command
 * (Twisted's `twist manhole`) and {@linkcode withManhole}, which
 * `skein run --manhole tcp:127.0.0.1:4040 --manhole-password-file PATH`
 * uses to serve a manhole beside the app's own services.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { manholePlugin } from "@skein/skein/manhole";
 * assert.equal(manholePlugin.name, "manhole");
 * assert.match(manholePlugin.help, /--password-file/);
 * ```
 *
 * @module
 */

import { resolve } from "node:path";
import { MultiService } from "../application/multi_service.ts";
import { UsageError } from "../cli/options.ts";
import type { ServiceMakerOptions, SkeinPlugin } from "../cli/plugin.ts";
import type { IReactorTCP, IReactorTime, IReactorUNIX, IService } from "../interfaces.ts";
import { manholeService } from "./listen.ts";

/** Where `skein manhole` listens unless told: loopback only. */
const DEFAULT_LISTEN = "tcp:127.0.0.1:4040";

/**
 * `skein manhole [--listen DESCRIPTION] --password-file PATH`: a process
 * that serves only a manhole, its namespace holding the `reactor` (Twisted's
 * `twist manhole`; `--telnetPort` and `--passwd` are accepted as Twisted
 * spells them). The listen description defaults to `tcp:127.0.0.1:4040`;
 * there is no default password.
 *
 * @example Bad arguments are a UsageError saying what to write
 * ```ts
 * import assert from "node:assert/strict";
 * import { UsageError } from "@skein/skein/cli";
 * import { manholePlugin } from "@skein/skein/manhole";
 * import { MemoryReactorClock } from "@skein/skein/testing";
 *
 * const base = { reactor: new MemoryReactorClock(), runner: {} as never, cwd: "/" };
 * assert.throws(() => manholePlugin.makeService({ ...base, argv: [] }), /--password-file PATH/);
 * assert.throws(() => manholePlugin.makeService({ ...base, argv: ["--bogus"] }), UsageError);
 * ```
 */
export const manholePlugin: SkeinPlugin = {
  name: "manhole",
  description: "serve a REPL into the process over telnet (loopback, password from a file)",
  help: [
    "usage: skein manhole [--listen DESCRIPTION] --password-file PATH",
    "",
    "Serve a manhole: log in with telnet and evaluate JavaScript in a namespace",
    "holding the reactor; status() shows its delayed calls, connections, threads",
    "and processes.",
    "",
    `  --listen, --telnetPort DESCRIPTION   tcp:PORT, tcp:127.0.0.1:PORT, tcp:[::1]:PORT or`,
    `                                       unix:PATH (mode 0600); default ${DEFAULT_LISTEN}`,
    "  --password-file, --passwd PATH       the password or token, on the first line of a",
    "                                       file only its owner may read (chmod 600)",
    "",
    "Only loopback addresses and owner-only Unix sockets are accepted.",
  ].join("\n"),
  makeService(options: ServiceMakerOptions): IService {
    let listen = DEFAULT_LISTEN;
    let passwordFile: string | null = null;
    const argv = [...options.argv];
    while (argv.length > 0) {
      const arg = argv.shift()!;
      const [flag, inline] = arg.includes("=")
        ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)]
        : [arg, null];
      const value = (): string => {
        const v = inline ?? argv.shift();
        if (v === undefined || v === "") {
          throw new UsageError(`${flag} needs a value (see skein manhole --help)`);
        }
        return v;
      };
      if (flag === "--listen" || flag === "--telnetPort") listen = value();
      else if (flag === "--password-file" || flag === "--passwd") passwordFile = value();
      else {throw new UsageError(
          `skein manhole: unknown argument ${JSON.stringify(arg)} (see skein manhole --help)`,
        );}
    }
    if (passwordFile === null) {
      throw new UsageError(
        "skein manhole needs --password-file PATH: a file with the password or token on its first line, mode 0600",
      );
    }
    const reactor = options.reactor;
    return manholeService({
      reactor,
      listen,
      passwordFile: resolve(options.cwd ?? ".", passwordFile),
      namespace: { reactor },
    });
  },
};

/**
 * What `skein run --manhole` needs: where to listen and the secret file.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { WithManholeOptions } from "@skein/skein/manhole";
 * const o: WithManholeOptions = { listen: "tcp:127.0.0.1:4040", passwordFile: null };
 * assert.equal(o.passwordFile, null);
 * ```
 */
export interface WithManholeOptions {
  /** The `--manhole` description. */
  listen: string;
  /** The `--manhole-password-file` path (null when not given: a UsageError). */
  passwordFile: string | null;
  /** The directory relative paths are relative to. @default {process.cwd()} */
  cwd?: string;
}

/**
 * The app's service and a manhole beside it, as one service (what
 * `skein run --manhole` starts). The manhole's namespace holds `reactor` and
 * `service` (the app's root service: `service.getServiceNamed(…)` reaches
 * the rest). Throws a `UsageError` without a password file, and
 * `ManholeListenError` for a description it refuses.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * import { MultiService, Service } from "@skein/skein/application";
 * import { withManhole } from "@skein/skein/manhole";
 * import { createReactor } from "@skein/skein/reactor";
 *
 * const dir = mkdtempSync(join(tmpdir(), "manhole-"));
 * writeFileSync(join(dir, "secret"), "s3cret\n", { mode: 0o600 });
 * const app = new Service();
 * const root = withManhole(app, createReactor(), {
 *   listen: "tcp:127.0.0.1:0",
 *   passwordFile: join(dir, "secret"),
 * });
 * assert.ok(root instanceof MultiService);
 * assert.deepEqual((root as MultiService).services().map((s) => s.name), [null, "manhole"]);
 * assert.throws(() => withManhole(app, createReactor(), { listen: "tcp:0", passwordFile: null }), /--manhole-password-file/);
 * rmSync(dir, { recursive: true });
 * ```
 */
export function withManhole(
  service: IService,
  reactor: IReactorTime & IReactorTCP & IReactorUNIX,
  options: WithManholeOptions,
): IService {
  if (options.passwordFile === null) {
    throw new UsageError(
      "--manhole needs --manhole-password-file PATH: a file with the password or token on its first line, mode 0600",
    );
  }
  const manhole = manholeService({
    reactor,
    listen: options.listen,
    passwordFile: resolve(options.cwd ?? ".", options.passwordFile),
    namespace: { reactor, service },
  });
  const root = new MultiService();
  root.addService(service);
  root.addService(manhole);
  return root;
}
