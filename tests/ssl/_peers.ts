/** Real TLS peers no one here wrote (openssl s_server/s_client, Python), run as child processes. */

import { type ChildProcess, spawn } from "node:child_process";
import { after } from "node:test";

/** A running peer: what it printed so far, a way to wait for a line, to feed it, and its exit. */
export class Peer {
  readonly child: ChildProcess;
  out = "";
  err = "";
  readonly exited: Promise<number | null>;
  readonly #command: string;

  constructor(cmd: string, args: readonly string[]) {
    this.#command = `${cmd} ${args.join(" ")}`;
    this.child = spawn(cmd, [...args], { stdio: ["pipe", "pipe", "pipe"] });
    this.child.stdout!.on("data", (b: Uint8Array) => {
      this.out += new TextDecoder().decode(b);
    });
    this.child.stderr!.on("data", (b: Uint8Array) => {
      this.err += new TextDecoder().decode(b);
    });
    this.exited = new Promise((resolve, reject) => {
      this.child.on("error", reject);
      this.child.on("close", (code) => resolve(code));
    });
  }

  /** Wait until stdout or stderr matches `pattern` (bounded by `ms`); returns the match. */
  async waitFor(pattern: RegExp, ms = 15000): Promise<RegExpMatchArray> {
    const end = Date.now() + ms;
    for (;;) {
      const m = this.out.match(pattern) ?? this.err.match(pattern);
      if (m !== null) return m;
      if (Date.now() > end || this.child.exitCode !== null) {
        throw new Error(
          `${this.#command}: no ${pattern} within ${ms} ms\nstdout: ${this.out}\nstderr: ${this.err}`,
        );
      }
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  /** Write to its stdin. */
  write(text: string): void {
    this.child.stdin!.write(text);
  }

  /** Close its stdin. */
  end(): void {
    this.child.stdin!.end();
  }

  /** Kill it (if it still runs) and wait for it to go. */
  async kill(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill("SIGKILL");
    await this.exited.catch(() => null);
  }
}

/**
 * A way to start peers that are all killed once the file's tests are done:
 * call it at the top of a test file.
 */
export function peersKilledAfterTests(): (cmd: string, args: readonly string[]) => Peer {
  const peers: Peer[] = [];
  after(async () => {
    for (const p of peers) await p.kill();
  });
  return (cmd, args) => {
    const p = new Peer(cmd, args);
    peers.push(p);
    return p;
  };
}
