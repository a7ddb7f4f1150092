// spawnProcess against real programs (sh, cat, env, sleep, pwd, yes): Twisted's
// ProcessProtocol callbacks and their order, ProcessDone/ProcessTerminated
// reasons, signals, stdin EOF, a big round trip through cat, extra child fds,
// the environment, the working directory, bad input, and nothing leaked (no
// fd, no zombie) after success, failure and KILL.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { createHash, randomFillSync } from "node:crypto";
import { chmodSync, mkdtempSync, readdirSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { describe, it } from "node:test";
import type { Failure } from "../../deferred/failure.ts";
import type { IProcessTransport, IReactorProcess, SpawnProcessOptions } from "../../interfaces.ts";
import { concatBytes } from "../../protocols/basic/_buffer.ts";
import { ProcessProtocol } from "../../protocols/process_protocol.ts";
import {
  ProcessDone,
  ProcessExitedAlready,
  ProcessTerminated,
  SystemCallError,
} from "../../reactor/errors.ts";
import { waitNoHang } from "../../reactor/ffi/spawn.ts";
import type { Reactor } from "../../reactor/install.ts";
import { KINDS, RUNTIME, sleep, withReactor } from "./_helpers.ts";

const decoder = new TextDecoder();

/** Records every callback, in order, and the data per child fd. */
class Recorder extends ProcessProtocol {
  readonly events: string[] = [];
  readonly data = new Map<number, Uint8Array[]>();
  readonly ended: Promise<Failure>;
  exitedReason: Failure | null = null;
  #resolve!: (f: Failure) => void;
  constructor() {
    super();
    this.ended = new Promise((resolve) => {
      this.#resolve = resolve;
    });
  }
  override connectionMade(): void {
    this.events.push("connectionMade");
  }
  override childDataReceived(childFD: number, data: Uint8Array): void {
    const list = this.data.get(childFD) ?? [];
    list.push(data);
    this.data.set(childFD, list);
    super.childDataReceived(childFD, data);
  }
  override outReceived(): void {
    if (this.events.at(-1) !== "out") this.events.push("out");
  }
  override errReceived(): void {
    if (this.events.at(-1) !== "err") this.events.push("err");
  }
  override childConnectionLost(childFD: number): void {
    this.events.push(`lost ${childFD}`);
    super.childConnectionLost(childFD);
  }
  override inConnectionLost(): void {
    this.events.push("inConnectionLost");
  }
  override outConnectionLost(): void {
    this.events.push("outConnectionLost");
  }
  override errConnectionLost(): void {
    this.events.push("errConnectionLost");
  }
  override processExited(reason: Failure): void {
    this.exitedReason = reason;
    this.events.push("processExited");
  }
  override processEnded(reason: Failure): void {
    this.events.push("processEnded");
    this.#resolve(reason);
  }
  text(fd: number): string {
    return (this.data.get(fd) ?? []).map((d) => decoder.decode(d)).join("");
  }
  bytes(fd: number): Uint8Array {
    return concatBytes(this.data.get(fd) ?? []);
  }
}

function spawn(
  r: Reactor,
  p: Recorder,
  executable: string,
  args: string[],
  options?: SpawnProcessOptions,
): IProcessTransport {
  return (r as unknown as IReactorProcess).spawnProcess(p, executable, args, options);
}

function openFds(): string[] {
  return readdirSync("/proc/self/fd").sort();
}

/** The fds open now that were not in `before` (ignoring the one readdir used). */
function newFds(before: string[]): string[] {
  const had = new Set(before);
  return openFds().filter((fd) => !had.has(fd));
}

function isGone(pid: number): boolean {
  // ECHILD: not our child any more (reaped), and no /proc entry: no zombie.
  try {
    readdirSync(`/proc/${pid}`);
    return false;
  } catch {
    return waitNoHang(pid) === -1;
  }
}

for (const kind of KINDS) {
  describe(`spawnProcess on ${kind}`, () => {
    it("calls the ProcessProtocol callbacks in Twisted's order", () =>
      withReactor(kind, async (r) => {
        const p = new Recorder();
        const t = spawn(r, p, "sh", ["sh", "-c", "echo out; echo err >&2"]);
        assert.equal(p.events[0], "connectionMade");
        assert.equal(p.transport, t);
        assert.ok(typeof t.pid === "number" && t.pid > 0);
        const reason = await p.ended;
        assert.ok(reason.check(ProcessDone));
        assert.equal(p.text(1), "out\n");
        assert.equal(p.text(2), "err\n");
        // Each pipe's close once, dispatched to its named callback.
        for (const fd of [0, 1, 2]) {
          const at = p.events.indexOf(`lost ${fd}`);
          assert.ok(at > 0, `lost ${fd} in ${p.events}`);
          assert.equal(p.events.filter((e) => e === `lost ${fd}`).length, 1);
          assert.equal(
            p.events[at + 1],
            ["inConnectionLost", "outConnectionLost", "errConnectionLost"][fd],
          );
        }
        // processEnded last, after processExited and after every pipe closed.
        assert.equal(p.events.at(-1), "processEnded");
        assert.equal(p.events.filter((e) => e === "processEnded").length, 1);
        assert.ok(p.events.indexOf("processExited") < p.events.indexOf("processEnded"));
        assert.ok(p.events.indexOf("out") < p.events.indexOf("lost 1"));
        assert.ok(p.events.indexOf("err") < p.events.indexOf("lost 2"));
        assert.ok(p.exitedReason?.check(ProcessDone));
        // Twisted builds the reason once: two Failures of the same error.
        assert.equal(p.exitedReason?.value, reason.value);
        assert.equal(t.pid, null);
      }));

    it("reports exit codes 0, 3 and 255 with Twisted's reasons and messages", () =>
      withReactor(kind, async (r) => {
        const ends = [0, 3, 255].map((code) => {
          const p = new Recorder();
          spawn(r, p, "sh", ["sh", "-c", `exit ${code}`]);
          return p.ended;
        });
        const [zero, three, max] = await Promise.all(ends);
        assert.ok(zero.value instanceof ProcessDone);
        assert.equal(zero.value.exitCode, 0);
        assert.equal(zero.value.status, 0);
        assert.equal(
          zero.getErrorMessage(),
          "A process has ended without apparent errors: process finished with exit code 0.",
        );
        for (const [f, code] of [[three, 3], [max, 255]] as const) {
          const e = f.value as ProcessTerminated;
          assert.ok(e instanceof ProcessTerminated);
          assert.equal(e.exitCode, code);
          assert.equal(e.signal, null);
          assert.equal(e.status, code << 8);
          assert.equal(
            e.message,
            `A process has ended with a probable error condition: process ended with exit code ${code}.`,
          );
        }
      }));

    it("signalProcess TERM and KILL end the child; afterwards it raises ProcessExitedAlready", () =>
      withReactor(kind, async (r) => {
        for (const [name, number] of [["TERM", 15], ["KILL", 9]] as const) {
          const p = new Recorder();
          const t = spawn(r, p, "sleep", ["sleep", "60"]);
          const pid = t.pid!;
          t.signalProcess(name);
          const e = (await p.ended).value as ProcessTerminated;
          assert.ok(e instanceof ProcessTerminated);
          assert.equal(e.exitCode, null); // Twisted: exitCode None after a signal
          assert.equal(e.signal, number);
          assert.equal(
            e.message,
            `A process has ended with a probable error condition: process ended by signal ${number}.`,
          );
          assert.throws(() => t.signalProcess("TERM"), ProcessExitedAlready);
          assert.ok(isGone(pid));
        }
      }));

    it("signalProcess rejects an unknown signal name with a TypeError naming the allowed ones", () =>
      withReactor(kind, async (r) => {
        const p = new Recorder();
        const t = spawn(r, p, "sleep", ["sleep", "60"]);
        assert.throws(
          () => t.signalProcess("SIGTERM" as "TERM"),
          (e: unknown) =>
            e instanceof TypeError && /TERM, KILL/.test(e.message)
            && /without "SIG"/.test(e.message),
        );
        assert.throws(() => t.signalProcess(1.5), TypeError);
        t.signalProcess(9);
        assert.equal(((await p.ended).value as ProcessTerminated).signal, 9);
      }));

    it("closeStdin gives cat EOF: it prints what it got and exits 0", () =>
      withReactor(kind, async (r) => {
        const p = new Recorder();
        const t = spawn(r, p, "cat", ["cat"]);
        t.write("hello ");
        t.writeSequence(["wor", new TextEncoder().encode("ld")]);
        t.closeStdin();
        assert.ok((await p.ended).check(ProcessDone));
        assert.equal(p.text(1), "hello world");
        assert.ok(p.events.includes("inConnectionLost"));
        t.write("after the end: ignored, as on a closed transport");
      }));

    it("carries 64 MiB through cat intact (checksum), stdin written with backpressure", () =>
      withReactor(kind, async (r) => {
        const size = 64 * 1024 * 1024;
        const data = randomFillSync(new Uint8Array(size));
        const p = new Recorder();
        const t = spawn(r, p, "cat", ["cat"]);
        // A push producer that the transport pauses when stdin's buffer fills.
        let offset = 0;
        let paused = false;
        let pauses = 0;
        const chunk = 256 * 1024;
        const pump = (): void => {
          while (!paused && offset < size) {
            const end = Math.min(offset + chunk, size);
            const piece = data.subarray(offset, end);
            offset = end;
            t.write(piece);
          }
          if (offset >= size) {
            t.unregisterProducer();
            t.closeStdin();
          }
        };
        t.registerProducer({
          pauseProducing: () => {
            paused = true;
            pauses++;
          },
          resumeProducing: () => {
            paused = false;
            pump();
          },
          stopProducing: () => {
            paused = true;
          },
        }, true);
        pump();
        assert.ok((await p.ended).check(ProcessDone));
        assert.ok(pauses > 0, "the producer was paused at least once");
        const got = p.bytes(1);
        assert.equal(got.length, size);
        const sum = (b: Uint8Array): string => createHash("sha256").update(b).digest("hex");
        assert.equal(sum(got), sum(data));
      }, 60_000));

    it("a child writes to fd 3 when childFDs maps it", () =>
      withReactor(kind, async (r) => {
        const p = new Recorder();
        spawn(r, p, "sh", ["sh", "-c", "echo three >&3; echo one"], {
          childFDs: { 0: "w", 1: "r", 2: "r", 3: "r" },
        });
        assert.ok((await p.ended).check(ProcessDone));
        assert.equal(p.text(3), "three\n");
        assert.equal(p.text(1), "one\n");
        assert.equal(p.events.filter((e) => e === "lost 3").length, 1);
      }));

    it("childFDs passes one of our fds through, and writes go to a 'w' fd of any number", () =>
      withReactor(kind, async (r) => {
        const p = new Recorder();
        // The child's fd 4 is a pipe we write to; it copies it to stdout.
        const t = spawn(r, p, "sh", ["sh", "-c", "cat <&4"], {
          childFDs: { 1: "r", 2: 2, 4: "w" },
        });
        t.writeToChild(4, "via fd 4");
        t.closeChildFD(4);
        assert.throws(() => t.writeToChild(0, "x"), /child fd 0 has no pipe to write to.*"w"/);
        assert.ok((await p.ended).check(ProcessDone));
        assert.equal(p.text(1), "via fd 4");
      }));

    it("env: inherits process.env by default (with this program's changes), {} is empty, explicit is exact", () =>
      withReactor(kind, async (r) => {
        process.env.SKEIN_PROCESS_TEST = "set by the parent";
        try {
          const inherit = new Recorder();
          spawn(r, inherit, "env", ["env"]);
          const empty = new Recorder();
          spawn(r, empty, "/usr/bin/env", ["env"], { env: {} });
          const exact = new Recorder();
          spawn(r, exact, "env", ["env"], { env: { A: "1", B: "two words" } });
          await Promise.all([inherit.ended, empty.ended, exact.ended]);
          assert.ok(inherit.text(1).split("\n").includes("SKEIN_PROCESS_TEST=set by the parent"));
          assert.equal(empty.text(1), "");
          assert.equal(exact.text(1), "A=1\nB=two words\n");
        } finally {
          delete process.env.SKEIN_PROCESS_TEST;
        }
      }));

    it("path sets the child's working directory", () =>
      withReactor(kind, async (r) => {
        const dir = mkdtempSync(join(tmpdir(), "skein-process-"));
        try {
          const p = new Recorder();
          spawn(r, p, "pwd", ["pwd", "-P"], { path: dir });
          assert.ok((await p.ended).check(ProcessDone));
          assert.equal(p.text(1), realpathSync(dir) + "\n");
        } finally {
          rmSync(dir, { recursive: true });
        }
      }));

    it("closeStdout: a child that keeps writing dies of SIGPIPE (its signals are reset to default)", () =>
      withReactor(kind, async (r) => {
        const p = new Recorder();
        const t = spawn(r, p, "yes", ["yes"]);
        t.closeStdout();
        const e = (await p.ended).value as ProcessTerminated;
        if (kind === "host" && RUNTIME === "bun") {
          // Bun's node:child_process sometimes starts children with SIGPIPE
          // ignored (seen both ways; the host reactor cannot reset it): then
          // `yes` sees EPIPE and exits 1 instead of dying of the signal.
          assert.ok(
            (e.exitCode === 1 && e.signal === null) || (e.exitCode === null && e.signal === 13),
            `ended by SIGPIPE or by EPIPE: ${e.message}`,
          );
        } else {
          assert.deepEqual([e.exitCode, e.signal], [null, 13]);
        }
      }));

    it("bad input fails at the call, naming what is wrong", () =>
      withReactor(kind, (r) => {
        const p = new Recorder();
        assert.throws(() => spawn(r, p, "skein-no-such-program", ["x"]), (e: unknown) =>
          e instanceof SystemCallError && e.code === "ENOENT"
          && /"skein-no-such-program"/.test(e.message));
        assert.throws(() =>
          spawn(r, p, "/skein/no/such", ["x"]), /ENOENT.*"\/skein\/no\/such"/);
        const dir = mkdtempSync(join(tmpdir(), "skein-process-"));
        try {
          const file = join(dir, "not-executable");
          writeFileSync(file, "#!/bin/sh\n");
          chmodSync(file, 0o644);
          assert.throws(() =>
            spawn(r, p, file, ["x"]), (e: unknown) =>
            e instanceof SystemCallError && e.code === "EACCES" && e.message.includes(file));
        } finally {
          rmSync(dir, { recursive: true });
        }
        assert.throws(() =>
          spawn(r, p, "sh", ["sh", 3 as unknown as string]), (e: unknown) =>
          e instanceof TypeError && /args\[1\] must be a string, got number 3/.test(e.message));
        assert.throws(
          () =>
            spawn(r, p, "sh", ["sh"], { childFDs: { 1: "x" as "r" } }),
          (e: unknown) =>
            e instanceof TypeError && /childFDs\[1\] must be "r".*"w".*got "x"/.test(e.message),
        );
        assert.throws(() =>
          spawn(r, p, "sh", ["sh"], { childFDs: { [-1]: "r" } }), TypeError);
        assert.throws(() =>
          spawn(r, p, "sh", ["sh"], { env: { A: 1 as unknown as string } }), TypeError);
        assert.throws(() =>
          spawn(r, p, "sh", ["sh"], { path: "/skein/no/dir" }), /ENOENT.*\/skein\/no\/dir/);
        assert.equal(p.events.length, 0, "the protocol heard nothing");
        return Promise.resolve();
      }));

    it("leaves no fd open and no zombie after success, failure and KILL", () =>
      withReactor(kind, async (r) => {
        const before = openFds();
        const ok = new Recorder();
        const okT = spawn(r, ok, "sh", ["sh", "-c", "echo hi; echo there >&3"], {
          childFDs: { 0: "w", 1: "r", 2: "r", 3: "r" },
        });
        const okPid = okT.pid!;
        const failed = new Recorder();
        const failedT = spawn(r, failed, "sh", ["sh", "-c", "exit 7"]);
        const failedPid = failedT.pid!;
        const killed = new Recorder();
        const killedT = spawn(r, killed, "sleep", ["sleep", "60"]);
        const killedPid = killedT.pid!;
        killedT.signalProcess("KILL");
        assert.throws(() => spawn(r, new Recorder(), "skein-no-such-program", ["x"]));
        await Promise.all([ok.ended, failed.ended, killed.ended]);
        if (kind === "host" && RUNTIME === "bun") {
          // Bun's node:child_process closes a pipe's fd some time after its
          // stream's "close" (seen up to two tasks later): wait for that.
          const deadline = performance.now() + 2000;
          while (newFds(before).length > 0 && performance.now() < deadline) await sleep(5);
        }
        assert.deepEqual(newFds(before), []);
        for (const pid of [okPid, failedPid, killedPid]) {
          assert.ok(isGone(pid), `pid ${pid} is gone`);
        }
      }));

    it("the runtime's own children (node:child_process, Deno.Command / Bun.spawn) are still reaped by the runtime beside Skein's", () =>
      withReactor(kind, async (r) => {
        const theirs = [3, 4, 5].map((code) =>
          new Promise<number | null>((resolve) => {
            execFile("sh", ["-c", `sleep 0.05; exit ${code}`], (err) => {
              resolve(err === null ? 0 : (err as { code?: number; }).code ?? null);
            });
          })
        );
        // The runtime's native API too (node:child_process is built on it).
        const g = globalThis as {
          Deno?: {
            Command: new(
              c: string,
              o: { args: string[]; },
            ) => { output(): Promise<{ code: number; }>; };
          };
          Bun?: { spawn(cmd: string[]): { exited: Promise<number>; }; };
        };
        const native = g.Deno !== undefined
          ? new g.Deno.Command("sh", { args: ["-c", "sleep 0.05; exit 8"] }).output().then((o) =>
            o.code
          )
          : g.Bun!.spawn(["sh", "-c", "sleep 0.05; exit 8"]).exited;
        const ours = [6, 7].map((code) => {
          const p = new Recorder();
          spawn(r, p, "sh", ["sh", "-c", `exit ${code}`]);
          return p.ended;
        });
        assert.deepEqual(await Promise.all(theirs), [3, 4, 5]);
        assert.equal(await native, 8);
        const reasons = await Promise.all(ours);
        assert.deepEqual(reasons.map((f) => (f.value as ProcessTerminated).exitCode), [6, 7]);
      }));
  });
}
