/**
 * Driving `_emfile_server.ts` from a test: the server runs as a child under a
 * 64-fd limit (on this runtime), takes commands on stdin and answers one
 * line each on stdout. Its clients are plain `node:net` sockets.
 */

import { type ChildProcess, spawn } from "node:child_process";
import * as net from "node:net";
import process from "node:process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { runtimeArgs } from "../../_runtime.ts";

const EMFILE_SERVER = fileURLToPath(new URL("./_emfile_server.ts", import.meta.url));

/** The running EMFILE server, read line by line. */
export interface EmfileChild {
  /** The child process (a shell that `exec`s the server under `ulimit -n 64`). */
  readonly server: ChildProcess;
  /** What the server has written to stderr so far. */
  stderr(): string;
  /** Write `command` and a newline to the server's stdin. */
  send(command: string): void;
  /** The next line of the server's stdout; rejects, naming `what`, if it exits first. */
  next(what: string): Promise<string>;
}

/**
 * Start the EMFILE server with `args` (none: TCP on 127.0.0.1; `["unix",
 * PATH]`: on that Unix socket). It prints its address first.
 */
export function spawnEmfileServer(args: string[] = []): EmfileChild {
  const cmd = [process.execPath, ...runtimeArgs(EMFILE_SERVER, args)].map((a) => `'${a}'`).join(
    " ",
  );
  const env = { ...process.env };
  delete env.NODE_EXTRA_CA_CERTS; // Deno would try (and fail) to read them under the limit
  const server = spawn("sh", ["-c", `ulimit -n 64 && exec ${cmd}`], {
    stdio: ["pipe", "pipe", "pipe"],
    env,
  });
  let err = "";
  server.stderr!.on("data", (b: Uint8Array) => {
    err += new TextDecoder().decode(b);
  });
  const lines: string[] = [];
  let wake: (() => void) | null = null;
  createInterface({ input: server.stdout! }).on("line", (l: string) => {
    lines.push(l);
    wake?.();
  });
  server.on("exit", () => wake?.());
  return {
    server,
    stderr: () => err,
    send: (command: string): void => {
      server.stdin!.write(`${command}\n`);
    },
    next: async (what: string): Promise<string> => {
      while (lines.length === 0) {
        if (server.exitCode !== null || server.signalCode !== null) {
          throw new Error(
            `server exited (${server.exitCode ?? server.signalCode}) before ${what}: ${err}`,
          );
        }
        await new Promise<void>((r) => (wake = r));
      }
      return lines.shift()!;
    },
  };
}

/**
 * Echo clients of the EMFILE server at one address, destroyed together at
 * the end. Its methods are bound: a test may take them out of it.
 */
export class EchoClients {
  readonly #to: net.NetConnectOpts;
  readonly #all: net.Socket[] = [];

  /** Clients that connect to `to` (`{ port, host }` or `{ path }`). */
  constructor(to: net.NetConnectOpts) {
    this.#to = to;
  }

  /** Connect (`what` names it in an error); resolve once the kernel has queued the connection. */
  readonly connect = (what: string): Promise<net.Socket> =>
    new Promise((resolve, reject) => {
      const c = net.connect(this.#to, () => resolve(c));
      c.on("error", (e: Error) => reject(new Error(`connecting ${what}: ${e.message}`)));
      this.#all.push(c);
    });

  /** Send `text` on `c`; resolve with the echo, or with "closed" if `c` closes first. */
  readonly echo = (c: net.Socket, text: string): Promise<string> =>
    new Promise((resolve) => {
      let got = "";
      c.on("data", (b: Uint8Array) => {
        got += new TextDecoder().decode(b);
        if (got.length >= text.length) resolve(got);
      });
      c.on("error", () => resolve("closed"));
      c.on("close", () => resolve("closed"));
      c.write(text);
    });

  /** Destroy every client made. */
  readonly destroyAll = (): void => {
    for (const c of this.#all) c.destroy();
  };
}
