import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ProcessMonitor, ServiceStateError } from "../../application/mod.ts";
import { Failure } from "../../deferred/mod.ts";
import type { IProcessProtocol, IProcessTransport, ProcessSignal } from "../../interfaces.ts";
import { addObserver, type LogEvent, removeObserver } from "../../log/mod.ts";
import { formatEvent } from "../../logger/mod.ts";
import { PosixReactor, ProcessDone, ProcessTerminated } from "../../reactor/mod.ts";
import { Clock } from "../../testing/mod.ts";

/** A child the fake reactor "spawned": the test ends it and reads its signals. */
interface FakeChild {
  protocol: IProcessProtocol;
  args: readonly string[];
  pid: number;
  signals: ProcessSignal[];
}

/** A Clock that records spawnProcess calls instead of starting programs. */
class FakeProcessReactor extends Clock {
  children: FakeChild[] = [];
  #nextPid = 100;
  spawnProcess(
    protocol: IProcessProtocol,
    _executable: string,
    args: readonly string[],
  ): IProcessTransport {
    const child: FakeChild = { protocol, args, pid: this.#nextPid++, signals: [] };
    const transport = {
      pid: child.pid,
      signalProcess: (signal: ProcessSignal) => child.signals.push(signal),
    } as unknown as IProcessTransport;
    this.children.push(child);
    protocol.makeConnection(transport);
    return transport;
  }
  /** End the `i`th child with exit code `code`. */
  end(i: number, code = 0): void {
    const reason = code === 0 ? new ProcessDone(0) : new ProcessTerminated(code, null, code << 8);
    this.children[i].protocol.processEnded(new Failure(reason));
  }
}

describe("ProcessMonitor (Twisted's procmon)", () => {
  it("restarts a quick death after minRestartDelay, doubling each time up to maxRestartDelay", () => {
    const reactor = new FakeProcessReactor();
    const monitor = new ProcessMonitor(reactor, {
      threshold: 10,
      minRestartDelay: 1,
      maxRestartDelay: 3,
    });
    monitor.addProcess("crasher", { args: ["crash"] });
    monitor.startService();
    const startedAt: number[] = [reactor.seconds()];
    for (let round = 0; round < 4; round++) {
      const before = reactor.children.length;
      reactor.end(before - 1, 1);
      while (reactor.children.length === before) reactor.advance(0.5);
      startedAt.push(reactor.seconds());
    }
    const gaps = startedAt.slice(1).map((t, i) => t - startedAt[i]);
    assert.deepEqual(gaps, [1, 2, 3, 3]);
    monitor.stopService();
  });

  it("restarts at once a process that ran past the threshold, and resets the delay", () => {
    const reactor = new FakeProcessReactor();
    const monitor = new ProcessMonitor(reactor, { threshold: 1, minRestartDelay: 1 });
    monitor.addProcess("p", { args: ["p"] });
    monitor.startService();
    reactor.end(0, 1);
    reactor.advance(1); // quick death: restarted after 1 s
    assert.equal(reactor.children.length, 2);
    reactor.advance(5);
    reactor.end(1, 1); // ran 5 s: restarted at once (a zero delay)
    reactor.advance(0);
    assert.equal(reactor.children.length, 3);
    reactor.end(2, 1); // quick death again: back to minRestartDelay
    reactor.advance(0.99);
    assert.equal(reactor.children.length, 3);
    reactor.advance(0.01);
    assert.equal(reactor.children.length, 4);
    monitor.stopService();
  });

  it("stops with SIGTERM, then SIGKILL after killTime; stopService fires once every child ended, and nothing restarts", () => {
    const reactor = new FakeProcessReactor();
    const monitor = new ProcessMonitor(reactor, { killTime: 5 });
    monitor.addProcess("a", { args: ["a"] });
    monitor.addProcess("b", { args: ["b"] });
    monitor.startService();
    let stopped = false;
    monitor.stopService().addCallback(() => {
      stopped = true;
    });
    assert.deepEqual(reactor.children.map((c) => c.signals), [["TERM"], ["TERM"]]);
    reactor.end(0);
    reactor.advance(5);
    assert.deepEqual(reactor.children[1].signals, ["TERM", "KILL"]);
    assert.equal(stopped, false);
    reactor.end(1, 9);
    assert.equal(stopped, true);
    reactor.advance(100);
    assert.equal(reactor.children.length, 2);
  });

  it("logs each line of output with the process's name, and the end of each run", () => {
    const reactor = new FakeProcessReactor();
    const monitor = new ProcessMonitor(reactor);
    monitor.addProcess("talker", { args: ["talk"] });
    const seen: string[] = [];
    const observer = (e: LogEvent): void => {
      seen.push(formatEvent(e) ?? "");
    };
    addObserver(observer);
    try {
      monitor.startService();
      const child = reactor.children[0];
      child.protocol.childDataReceived(1, new TextEncoder().encode("one\ntw"));
      child.protocol.childDataReceived(2, new TextEncoder().encode("err line\n"));
      child.protocol.childDataReceived(1, new TextEncoder().encode("o\nthree"));
      reactor.end(0, 3);
      monitor.stopService();
    } finally {
      removeObserver(observer);
    }
    assert.deepEqual(seen.filter((t) => t.startsWith("[talker]")), [
      "[talker] one",
      "[talker] err line",
      "[talker] two",
      "[talker] three",
    ]);
    assert.ok(seen.some((t) => /^talker ended \(exit code 3, signal null\)/.test(t)));
  });

  it("adds and removes processes while running; refuses duplicates and bad args", () => {
    const reactor = new FakeProcessReactor();
    const monitor = new ProcessMonitor(reactor);
    monitor.startService();
    monitor.addProcess("late", { args: ["late"] });
    assert.equal(reactor.children.length, 1, "a running monitor starts it at once");
    assert.equal(monitor.pidOf("late"), 100);
    assert.throws(() => monitor.addProcess("late", { args: ["x"] }), ServiceStateError);
    assert.throws(() => monitor.addProcess("empty", { args: [] }), TypeError);
    const gone = monitor.removeProcess("late");
    assert.deepEqual(reactor.children[0].signals, ["TERM"]);
    reactor.end(0);
    assert.equal(gone.called, true);
    reactor.advance(100);
    assert.equal(reactor.children.length, 1, "a removed process is not restarted");
    assert.throws(() => monitor.startProcess("late"), /not monitored/);
    monitor.stopService();
  });

  it("restarts a real crashing child on the reactor", async () => {
    const reactor = new PosixReactor("poll");
    const monitor = new ProcessMonitor(reactor, { minRestartDelay: 0.01 });
    monitor.addProcess("crasher", { args: ["sh", "-c", "exit 7"] });
    const pids: number[] = [];
    monitor.onProcessStarted = (name) => {
      pids.push(monitor.pidOf(name)!);
      if (pids.length === 3) monitor.stopService().addCallback(() => reactor.stop());
    };
    reactor.callWhenRunning(() => monitor.startService());
    await reactor.run();
    assert.equal(new Set(pids).size, 3);
  });
});
