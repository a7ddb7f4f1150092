/**
 * Process benchmarks, with their peers measured in the same run:
 *
 * 1. Spawn-and-reap of `/bin/true` per second (one child at a time, each
 *    awaited before the next): Skein's `spawnProcess` against the runtime's
 *    own API (`Deno.Command` / `Bun.spawn`), `node:child_process.spawn`, and
 *    Python Twisted's `spawnProcess` (a subprocess, `/usr/bin/python3`).
 * 2. Throughput through `cat`: MiB/s for a buffer written to its stdin and
 *    read back from its stdout, Skein against the runtime's API and
 *    `node:child_process`.
 *
 * The contenders' batches run interleaved, round after round, and each
 * shows the median of its rounds: the rate by the wall clock, and this
 * process's CPU time (user + system) per spawn or per MiB, the figure a
 * loaded shared machine disturbs least (Twisted measures its own).
 *
 * ```sh
 * deno run -A bench/process_bench.ts
 * bun bench/process_bench.ts
 * deno run -A bench/process_bench.ts --spawns 500 --mib 1024 --no-twisted
 * ```
 *
 * Options: `--spawns N` per batch (default 300), `--batches N` (rounds,
 * default 3, the median is shown), `--mib N` through cat (default 1024), `--reactor KIND`
 * (default: the platform's), `--no-twisted`, `--python PATH`.
 *
 * @module
 */

import { execFileSync, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import process from "node:process";
import type { Failure } from "../deferred/failure.ts";
import type { IReactorProcess } from "../interfaces.ts";
import { ProcessProtocol } from "../protocols/process_protocol.ts";
import { getReactor, installReactor, type ReactorKind } from "../reactor/install.ts";

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}

const SPAWNS = Number(option("spawns", "300"));
const BATCHES = Number(option("batches", "3"));
const MIB = Number(option("mib", "1024"));
const PYTHON = option("python", existsSync("/usr/bin/python3") ? "/usr/bin/python3" : "python3");
const TWISTED = !process.argv.includes("--no-twisted");
const kind = option("reactor", "");
if (kind !== "") installReactor(kind as ReactorKind);
const reactor = getReactor();
const spawner = reactor as unknown as IReactorProcess;

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** A contender's figures: per second (wall clock) and this process's CPU time per operation. */
interface Figures {
  perSecond: number;
  cpuMicros: number;
}

/**
 * Run every contender's batch in turn, `BATCHES` rounds interleaved (so a
 * change in the machine's load hits them all alike); the median per
 * contender of the rate and of this process's CPU time (`process.cpuUsage`,
 * user + system) per operation.
 */
async function interleaved(
  contenders: [string, () => Promise<number | Figures>][],
): Promise<Map<string, Figures>> {
  const runs = new Map<string, Figures[]>(contenders.map(([name]) => [name, []]));
  for (let b = 0; b < BATCHES; b++) {
    for (const [name, batch] of contenders) {
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      const done = await batch();
      const seconds = (performance.now() - t0) / 1000;
      const cpu = process.cpuUsage(c0);
      // A subprocess peer (Twisted) measures itself and says so.
      runs.get(name)!.push(
        typeof done === "number"
          ? { perSecond: done / seconds, cpuMicros: (cpu.user + cpu.system) / done }
          : done,
      );
    }
  }
  const out = new Map<string, Figures>();
  for (const [name, figures] of runs) {
    if (figures.length === 0) continue;
    out.set(name, {
      perSecond: median(figures.map((f) => f.perSecond)),
      cpuMicros: median(figures.map((f) => f.cpuMicros)),
    });
  }
  return out;
}

/** `SPAWNS` spawns of `spawnOne`, one at a time: the number done. */
function spawns(spawnOne: () => Promise<void>): () => Promise<number> {
  return async () => {
    for (let i = 0; i < SPAWNS; i++) await spawnOne();
    return SPAWNS;
  };
}

class Ended extends ProcessProtocol {
  constructor(readonly done: () => void) {
    super();
  }
  override processEnded(_reason: Failure): void {
    this.done();
  }
}

const skeinTrue = (): Promise<void> =>
  new Promise((resolve) => {
    spawner.spawnProcess(new Ended(resolve), "/bin/true", ["true"], { childFDs: {} });
  });

const nodeTrue = (): Promise<void> =>
  new Promise((resolve, reject) => {
    const child = spawn("/bin/true", [], { stdio: "ignore" });
    child.on("error", reject);
    child.on("exit", () => resolve());
  });

interface DenoLike {
  Command: new(cmd: string, o: { stdout: "null"; stderr: "null"; stdin?: "piped" | "null"; }) => {
    output(): Promise<unknown>;
  };
}
interface BunLike {
  spawn(cmd: string[], o?: Record<string, unknown>): {
    exited: Promise<number>;
    stdin: { write(b: Uint8Array): number; end(): void; };
    stdout: ReadableStream<Uint8Array>;
  };
}
const g = globalThis as { Deno?: DenoLike; Bun?: BunLike; };
const runtimeName = g.Deno !== undefined ? "Deno.Command" : "Bun.spawn";

const runtimeTrue = async (): Promise<void> => {
  if (g.Deno !== undefined) {
    await new g.Deno.Command("/bin/true", { stdout: "null", stderr: "null" }).output();
  } else {
    await g.Bun!.spawn(["/bin/true"]).exited;
  }
};

/**
 * One batch of `SPAWNS` in Python Twisted (a subprocess): its own rate and
 * CPU time per spawn (`time.process_time`), or `null` without Twisted.
 */
function twistedBatch(): Figures | null {
  const script = `
import time
from twisted.internet import reactor, protocol, defer
N = ${SPAWNS}
class P(protocol.ProcessProtocol):
    def __init__(self, d): self.d = d
    def processEnded(self, reason): self.d.callback(None)
@defer.inlineCallbacks
def main():
    t0, c0 = time.perf_counter(), time.process_time()
    for i in range(N):
        d = defer.Deferred()
        reactor.spawnProcess(P(d), "/bin/true", ["true"], {}, childFDs={})
        yield d
    print(N / (time.perf_counter() - t0), (time.process_time() - c0) * 1e6 / N)
    reactor.stop()
reactor.callWhenRunning(main)
reactor.run()
`;
  try {
    const [perSecond, cpuMicros] = execFileSync(PYTHON, ["-c", script], { encoding: "utf8" })
      .trim().split(/\s+/).map(Number);
    return { perSecond, cpuMicros };
  } catch {
    return null;
  }
}

function pattern(size: number): Uint8Array {
  const b = new Uint8Array(size);
  for (let i = 0; i < size; i++) b[i] = (i * 13) & 0xff;
  return b;
}

const CHUNK = pattern(1024 * 1024);

function skeinCat(): Promise<number> {
  return new Promise((resolve) => {
    let got = 0;
    class Cat extends ProcessProtocol {
      #sent = 0;
      #paused = false;
      override connectionMade(): void {
        const t = this.transport!;
        const pump = (): void => {
          while (!this.#paused && this.#sent < MIB) {
            this.#sent++;
            t.write(CHUNK);
          }
          if (this.#sent >= MIB) {
            t.unregisterProducer();
            t.closeStdin();
          }
        };
        t.registerProducer({
          pauseProducing: () => {
            this.#paused = true;
          },
          resumeProducing: () => {
            this.#paused = false;
            pump();
          },
          stopProducing: () => {
            this.#paused = true;
          },
        }, true);
        pump();
      }
      override outReceived(data: Uint8Array): void {
        got += data.length;
      }
      override processEnded(): void {
        resolve(got);
      }
    }
    spawner.spawnProcess(new Cat(), "cat", ["cat"]);
  });
}

function nodeCat(): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn("cat", [], { stdio: ["pipe", "pipe", "ignore"] });
    let got = 0;
    let sent = 0;
    child.on("error", reject);
    child.stdout!.on("data", (b: Uint8Array) => (got += b.length));
    const pump = (): void => {
      while (sent < MIB) {
        sent++;
        if (!child.stdin!.write(CHUNK)) {
          child.stdin!.once("drain", pump);
          return;
        }
      }
      child.stdin!.end();
    };
    pump();
    child.on("close", () => resolve(got));
  });
}

async function runtimeCat(): Promise<number> {
  if (g.Deno !== undefined) {
    const D = g.Deno as unknown as {
      Command: new(c: string, o: Record<string, string>) => {
        spawn(): {
          stdin: WritableStream<Uint8Array>;
          stdout: ReadableStream<Uint8Array>;
          status: Promise<unknown>;
        };
      };
    };
    const child = new D.Command("cat", { stdin: "piped", stdout: "piped", stderr: "null" }).spawn();
    const writing = (async () => {
      const w = child.stdin.getWriter();
      for (let i = 0; i < MIB; i++) await w.write(CHUNK);
      await w.close();
    })();
    let got = 0;
    for await (const b of child.stdout) got += b.length;
    await writing;
    await child.status;
    return got;
  }
  const child = g.Bun!.spawn(["cat"], { stdin: "pipe", stdout: "pipe", stderr: "ignore" });
  const writing = (async () => {
    for (let i = 0; i < MIB; i++) {
      child.stdin.write(CHUNK);
      await (child.stdin as unknown as { flush(): Promise<number> | number; }).flush();
    }
    child.stdin.end();
  })();
  let got = 0;
  for await (const b of child.stdout) got += b.length;
  await writing;
  await child.exited;
  return got;
}

/** One run of `MIB` MiB through cat with `run`: the MiB carried (checked). */
function throughput(run: () => Promise<number>): () => Promise<number> {
  return async () => {
    const got = await run();
    if (got !== MIB * 1024 * 1024) throw new Error(`got ${got} bytes back, sent ${MIB} MiB`);
    return MIB;
  };
}

async function main(): Promise<void> {
  const fmt = (n: number): string => n.toFixed(0).padStart(8);
  const show = (figures: Map<string, Figures>, unit: string): void => {
    for (const [name, f] of figures) {
      console.log(
        `  ${name.padEnd(21)} ${fmt(f.perSecond)} ${unit}  ${fmt(f.cpuMicros)} µs CPU each`,
      );
    }
  };
  console.log(`process_bench on ${g.Deno !== undefined ? "deno" : "bun"}, reactor ${reactor.kind}`);
  console.log(
    `spawn-and-reap /bin/true, one at a time, ${SPAWNS} × ${BATCHES} rounds interleaved (median):`,
  );
  const twisted = TWISTED && twistedBatch() !== null;
  show(
    await interleaved([
      ["skein spawnProcess", spawns(skeinTrue)],
      [runtimeName, spawns(runtimeTrue)],
      ["node:child_process", spawns(nodeTrue)],
      ...(twisted
        ? [["Twisted spawnProcess", () => Promise.resolve(twistedBatch()!)] as [
          string,
          () => Promise<Figures>,
        ]]
        : []),
    ]),
    "/s   ",
  );
  if (TWISTED && !twisted) {
    console.log(`  Twisted spawnProcess       n/a (no Twisted for ${PYTHON})`);
  }
  console.log(`through cat, ${MIB} MiB × ${BATCHES} rounds interleaved (median):`);
  show(
    await interleaved([
      ["skein spawnProcess", throughput(skeinCat)],
      [runtimeName, throughput(runtimeCat)],
      ["node:child_process", throughput(nodeCat)],
    ]),
    "MiB/s",
  );
}

reactor.callWhenRunning(() => {
  main().then(() => reactor.stop(), (e) => {
    console.error(e);
    process.exitCode = 1;
    reactor.stop();
  });
});
await reactor.run();
