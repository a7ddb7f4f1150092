// 200 children at once on each reactor kind, each echoing its own 1 MiB
// through cat (stdin → stdout) with a checksum: nothing lost or mixed up, and
// afterwards /proc/self/fd holds what it held before and no child is left
// (each pid is gone from /proc: no zombie).
import assert from "node:assert/strict";
import { createHash, randomFillSync } from "node:crypto";
import { readdirSync } from "node:fs";
import { describe, it } from "node:test";
import type { Failure } from "../../deferred/failure.ts";
import type { IReactorProcess } from "../../interfaces.ts";
import { concatBytes } from "../../protocols/basic/_buffer.ts";
import { ProcessProtocol } from "../../protocols/process_protocol.ts";
import { ProcessDone } from "../../reactor/errors.ts";
import { KINDS, withReactor } from "./_helpers.ts";

const CHILDREN = 200;
const SIZE = 1024 * 1024;

const sum = (b: Uint8Array): string => createHash("sha256").update(b).digest("hex");

class Echo extends ProcessProtocol {
  readonly parts: Uint8Array[] = [];
  readonly ended: Promise<Failure>;
  #resolve!: (f: Failure) => void;
  constructor(readonly input: Uint8Array) {
    super();
    this.ended = new Promise((resolve) => {
      this.#resolve = resolve;
    });
  }
  override connectionMade(): void {
    this.transport!.write(this.input);
    this.transport!.closeStdin();
  }
  override outReceived(data: Uint8Array): void {
    this.parts.push(data);
  }
  override processEnded(reason: Failure): void {
    this.#resolve(reason);
  }
  output(): Uint8Array {
    return concatBytes(this.parts);
  }
}

for (const kind of KINDS) {
  describe(`spawnProcess stress on ${kind}`, () => {
    it(`${CHILDREN} cats at once, ${SIZE / 1024 / 1024} MiB each, checksums intact, no fd or zombie left`, () =>
      withReactor(kind, async (r) => {
        const before = readdirSync("/proc/self/fd");
        const children = Array.from({ length: CHILDREN }, () => {
          const p = new Echo(randomFillSync(new Uint8Array(SIZE)));
          const t = (r as unknown as IReactorProcess).spawnProcess(p, "cat", ["cat"]);
          return { p, pid: t.pid! };
        });
        const reasons = await Promise.all(children.map(({ p }) => p.ended));
        for (const [i, reason] of reasons.entries()) {
          assert.ok(reason.check(ProcessDone), `child ${i}: ${reason.getErrorMessage()}`);
          assert.equal(sum(children[i].p.output()), sum(children[i].p.input), `child ${i}'s bytes`);
        }
        const had = new Set(before);
        assert.deepEqual(readdirSync("/proc/self/fd").filter((fd) => !had.has(fd)), []);
        const left = children.filter(({ pid }) => {
          try {
            readdirSync(`/proc/${pid}`);
            return true;
          } catch {
            return false;
          }
        });
        assert.deepEqual(left.map(({ pid }) => pid), []);
      }, 60_000));
  });
}
