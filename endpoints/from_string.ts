/**
 * Endpoints from description strings: Twisted's `serverFromString`,
 * `clientFromString` and `quoteStringArgument`, for configuration files and
 * command lines (`"tcp:8080:interface=127.0.0.1"`, `"unix:/run/app.sock"`).
 *
 * The grammar: parameters are separated by `:`; `key=value` parameters are
 * keywords (only the first `=` counts), others are positional; a backslash
 * makes the next character literal (`\:` for a colon in an IPv6 address or
 * a Windows path, `\\` for a backslash).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { clientFromString, serverFromString, TCP4ServerEndpoint } from "@skein/skein/endpoints";
 * import { MemoryReactor } from "@skein/skein/testing";
 *
 * const reactor = new MemoryReactor();
 * const server = serverFromString(reactor, "tcp:8080:interface=127.0.0.1");
 * assert.ok(server instanceof TCP4ServerEndpoint && server.interface === "127.0.0.1");
 * clientFromString(reactor, "tcp:host=example.com:port=80");
 * ```
 *
 * @module
 */

import type {
  IPAddress,
  IReactor,
  IReactorTCP,
  IReactorUNIX,
  IStreamClientEndpoint,
  IStreamServerEndpoint,
} from "../interfaces.ts";
import type { UNIXAddress } from "../reactor/address.ts";
import {
  bindParams,
  parseDescription,
  parseFlag,
  parseInteger,
  parseMode,
  parsePort,
  parseSeconds,
} from "./_parse.ts";
import { sslClientFromParams, sslServerFromParams, tlsClientFromParams } from "./_tls_parse.ts";
import { EndpointDescriptionError } from "./errors.ts";
import { StandardIOEndpoint } from "./process.ts";
import {
  TCP4ClientEndpoint,
  TCP4ServerEndpoint,
  TCP6ClientEndpoint,
  TCP6ServerEndpoint,
} from "./tcp.ts";
import { UNIXClientEndpoint, UNIXServerEndpoint } from "./unix.ts";

/**
 * What the string parsers need from a reactor: TCP and Unix sockets.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { StringEndpointReactor } from "@skein/skein/endpoints";
 * import { serverFromString } from "@skein/skein/endpoints";
 * import { MemoryReactor } from "@skein/skein/testing";
 * const r: StringEndpointReactor = new MemoryReactor();
 * assert.equal(serverFromString(r, "tcp:0").constructor.name, "TCP4ServerEndpoint");
 * ```
 */
export type StringEndpointReactor = IReactorTCP & IReactorUNIX;

const SERVER_FORMS: Record<string, string> = {
  tcp: "tcp:PORT[:interface=ADDRESS][:backlog=N]",
  tcp6: "tcp6:PORT[:backlog=N][:interface=ADDRESS] (escape colons: interface=\\:\\:1)",
  unix: "unix:PATH[:mode=OCTAL][:backlog=N][:lockfile=0|1]",
  stdio: "stdio: (no parameters)",
};

const CLIENT_FORMS: Record<string, string> = {
  TCP: "tcp:HOST:PORT[:timeout=SECONDS][:bindAddress=ADDRESS] (or tcp:host=HOST:port=PORT)",
  TCP6: "tcp6:host=ADDRESS:port=PORT[:timeout=SECONDS][:bindAddress=ADDRESS] "
    + "(escape the colons of an IPv6 address: host=\\:\\:1)",
  UNIX: "unix:PATH[:timeout=SECONDS][:lockfile=0|1] (or unix:path=PATH)",
};

/**
 * Build a server endpoint from a description (Twisted's `serverFromString`):
 *
 * - `tcp:PORT[:interface=ADDRESS][:backlog=N]` → {@linkcode TCP4ServerEndpoint}
 *   (interface `""`: all IPv4 interfaces; backlog 50);
 * - `tcp6:PORT[:backlog=N][:interface=ADDRESS]` → {@linkcode TCP6ServerEndpoint}
 *   (interface `"::"`);
 * - `unix:PATH[:mode=OCTAL][:backlog=N][:lockfile=0|1]` →
 *   {@linkcode UNIXServerEndpoint} (mode `666`, backlog 50, and — as in
 *   Twisted's string form — a lock file unless `lockfile=0`);
 * - `stdio:` → {@linkcode StandardIOEndpoint} (this process's stdin and stdout);
 * - `ssl:PORT:privateKey=KEY.pem[:certKey=CERT.pem][:extraCertChain=CHAIN.pem][:dhParameters=DH.pem]`
 *   → {@linkcode SSL4ServerEndpoint} (`certKey` defaults to `privateKey`, which defaults to `server.pem`).
 *
 * As in Twisted, the `tcp` and `unix` prefixes are case-sensitive while
 * `tcp6` is not. Throws {@linkcode EndpointDescriptionError} for an unknown
 * type, a bad or missing value, an unknown parameter, or a PEM file that
 * cannot be read or used.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { serverFromString, UNIXServerEndpoint } from "@skein/skein/endpoints";
 * import { MemoryReactor } from "@skein/skein/testing";
 *
 * const ep = serverFromString(new MemoryReactor(), "unix:/var/run/finger:mode=660");
 * assert.ok(ep instanceof UNIXServerEndpoint && ep.mode === 0o660 && ep.wantPID);
 * ```
 */
export function serverFromString(
  reactor: StringEndpointReactor,
  description: `tcp:${string}` | `tcp6:${string}` | `TCP6:${string}`,
): IStreamServerEndpoint<IPAddress>;
/** A `unix:` description: the endpoint's ports have a {@linkcode UNIXAddress}. */
export function serverFromString(
  reactor: StringEndpointReactor,
  description: `unix:${string}`,
): IStreamServerEndpoint<UNIXAddress>;
/** Any description: the kind of address is known once parsed. */
export function serverFromString(
  reactor: StringEndpointReactor,
  description: string,
): IStreamServerEndpoint;
export function serverFromString(
  reactor: StringEndpointReactor,
  description: string,
): IStreamServerEndpoint {
  const { args, kw } = parseDescription(description);
  const type = args[0];
  const rest = args.slice(1);
  if (type === "tcp") {
    const form = SERVER_FORMS.tcp;
    const p = bindParams(
      description,
      form,
      [
        { name: "port", required: true },
        { name: "interface" },
        { name: "backlog" },
      ],
      rest,
      kw,
    );
    return new TCP4ServerEndpoint(reactor, parsePort(description, form, p.get("port")!), {
      interface: p.get("interface") ?? "",
      backlog: p.has("backlog")
        ? parseInteger(description, form, "backlog", p.get("backlog")!)
        : 50,
    });
  }
  if (type === "unix") {
    const form = SERVER_FORMS.unix;
    const p = bindParams(
      description,
      form,
      [
        { name: "address", required: true },
        { name: "mode" },
        { name: "backlog" },
        { name: "lockfile" },
      ],
      rest,
      kw,
    );
    const address = p.get("address")!;
    if (address === "") {
      throw new EndpointDescriptionError(description, `empty path; expected ${form}`);
    }
    return new UNIXServerEndpoint(reactor, address, {
      mode: parseMode(description, form, p.get("mode") ?? "666"),
      backlog: p.has("backlog")
        ? parseInteger(description, form, "backlog", p.get("backlog")!)
        : 50,
      wantPID: parseFlag(description, form, "lockfile", p.get("lockfile") ?? "1"),
    });
  }
  if (type === "ssl") return sslServerFromParams(reactor, description, rest, kw);
  if (type === "stdio") {
    bindParams(description, SERVER_FORMS.stdio, [], rest.filter((a) => a !== ""), kw);
    return new StandardIOEndpoint(reactor as unknown as IReactor);
  }
  if (type.toLowerCase() === "tcp6") {
    const form = SERVER_FORMS.tcp6;
    const p = bindParams(
      description,
      form,
      [
        { name: "port", required: true },
        { name: "backlog" },
        { name: "interface" },
      ],
      rest,
      kw,
    );
    return new TCP6ServerEndpoint(reactor, parsePort(description, form, p.get("port")!), {
      interface: p.get("interface") ?? "::",
      backlog: p.has("backlog")
        ? parseInteger(description, form, "backlog", p.get("backlog")!)
        : 50,
    });
  }
  throw new EndpointDescriptionError(
    description,
    `Unknown endpoint type: '${type}' (server types are tcp, tcp6, unix, ssl and stdio, e.g. `
      + `"tcp:8080:interface=127.0.0.1"; tcp and unix are lower case)`,
  );
}

/**
 * Build a client endpoint from a description (Twisted's `clientFromString`;
 * the type is case-insensitive):
 *
 * - `tcp:HOST:PORT[:timeout=SECONDS][:bindAddress=ADDRESS]`, or with
 *   `host=`/`port=` keywords in any mix → {@linkcode TCP4ClientEndpoint}
 *   (timeout 30);
 * - `tcp6:host=ADDRESS:port=PORT[...]` → {@linkcode TCP6ClientEndpoint};
 * - `unix:PATH[:timeout=SECONDS][:lockfile=0|1]` (or `path=`) →
 *   {@linkcode UNIXClientEndpoint} (`lockfile` is `checkPID`, default 0);
 * - `ssl:host=HOST:port=PORT[:caCertsDir=DIR][:certKey=CERT.pem][:privateKey=KEY.pem]` →
 *   TLS over {@linkcode TCP4ClientEndpoint}, the server verified against the
 *   certificates in `caCertsDir` or else the platform's trust store (never unverified);
 * - `tls:HOST:PORT[:timeout=…][:bindAddress=…][:certificate=…][:privateKey=…][:trustRoots=DIR]` →
 *   TLS over {@linkcode HostnameEndpoint}, as Twisted's `tls:`.
 *
 * Throws {@linkcode EndpointDescriptionError} for an unknown type, a bad or
 * missing value, an unknown parameter, or a PEM file that cannot be used.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { clientFromString, TCP4ClientEndpoint } from "@skein/skein/endpoints";
 * import { MemoryReactor } from "@skein/skein/testing";
 *
 * const ep = clientFromString(new MemoryReactor(), "tcp:www.example.com:80:timeout=5");
 * assert.ok(ep instanceof TCP4ClientEndpoint && ep.port === 80 && ep.timeout === 5);
 * ```
 */
export function clientFromString(
  reactor: StringEndpointReactor,
  description: string,
): IStreamClientEndpoint {
  const { args, kw } = parseDescription(description);
  const name = (args[0] ?? "").toUpperCase();
  const rest = args.slice(1);
  if (name === "TCP" || name === "TCP6") {
    const form = CLIENT_FORMS[name];
    // Twisted's _parseClientTCP: two positionals are host and port; one is the
    // host, or the port when host= is given.
    if (rest.length > 2) {
      throw new EndpointDescriptionError(
        description,
        `too many positional parameters (${rest.length}: only HOST and PORT may be positional); `
          + `expected ${form}`,
      );
    }
    const named = new Map(kw);
    const positional: string[] = [];
    if (rest.length === 1 && kw.has("host") && !kw.has("port")) {
      named.set("port", rest[0]);
    } else {
      positional.push(...rest);
    }
    const p = bindParams(
      description,
      form,
      [
        { name: "host", required: true },
        { name: "port", required: true },
        { name: "timeout" },
        { name: "bindAddress" },
      ],
      positional,
      named,
    );
    const host = p.get("host")!;
    if (host === "") {
      throw new EndpointDescriptionError(description, `empty host; expected ${form}`);
    }
    const options = {
      timeout: p.has("timeout") ? parseSeconds(description, form, p.get("timeout")!) : 30,
      bindAddress: p.has("bindAddress") ? p.get("bindAddress")! : null,
    };
    const port = parsePort(description, form, p.get("port")!);
    return name === "TCP"
      ? new TCP4ClientEndpoint(reactor, host, port, options)
      : new TCP6ClientEndpoint(reactor, host, port, options);
  }
  if (name === "UNIX") {
    const form = CLIENT_FORMS.UNIX;
    const p = bindParams(
      description,
      form,
      [
        { name: "path", required: true },
        { name: "timeout" },
        { name: "lockfile" },
      ],
      rest,
      kw,
    );
    const path = p.get("path")!;
    if (path === "") {
      throw new EndpointDescriptionError(description, `empty path; expected ${form}`);
    }
    return new UNIXClientEndpoint(reactor, path, {
      timeout: p.has("timeout") ? parseSeconds(description, form, p.get("timeout")!) : 30,
      checkPID: parseFlag(description, form, "lockfile", p.get("lockfile") ?? "0"),
    });
  }
  if (name === "SSL") return sslClientFromParams(reactor, description, rest, kw);
  if (name === "TLS") return tlsClientFromParams(reactor, description, rest, kw);
  throw new EndpointDescriptionError(
    description,
    `Unknown endpoint type: '${args[0] ?? ""}' (client types are tcp, tcp6, unix, ssl and tls, `
      + `e.g. "tcp:example.com:80")`,
  );
}

/**
 * Escape `argument` for use inside an endpoint description (Twisted's
 * `quoteStringArgument`): backslashes and colons get a backslash.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { quoteStringArgument } from "@skein/skein/endpoints";
 * assert.ok(quoteStringArgument("C:\\x:y") === "C\\:\\\\x\\:y");
 * ```
 */
export function quoteStringArgument(argument: string): string {
  return argument.replace(/[\\:]/g, (c) => `\\${c}`);
}
