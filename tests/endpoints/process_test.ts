// ProcessEndpoint on every reactor kind, against real programs: a stream
// protocol talks to a child over its stdin/stdout as over TCP (Twisted's
// ProcessEndpoint / _WrapIProtocol / _ProcessEndpointTransport): connect fires
// with the connected protocol, connectionLost carries ProcessDone or
// ProcessTerminated, stderr is logged (errFlag "log") or dropped, a program
// that cannot start fails the Deferred; and against MemoryReactor's recorded
// spawnProcess, as Twisted's endpoint tests use MemoryProcessReactor.
// StandardIOEndpoint (and "stdio:") on each FFI poller over pipes standing in
// for stdin and stdout.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Deferred } from "../../deferred/deferred.ts";
import { Failure } from "../../deferred/failure.ts";
import { EndpointDescriptionError, NoProtocol } from "../../endpoints/errors.ts";
import { serverFromString } from "../../endpoints/from_string.ts";
import { ProcessAddress, ProcessEndpoint, StandardIOEndpoint } from "../../endpoints/process.ts";
import type { IProtocol, IReactorProcess } from "../../interfaces.ts";
import * as log from "../../log/log.ts";
import { PipeAddress, StandardIO } from "../../process/standard_io.ts";
import { Factory } from "../../protocols/mod.ts";
import {
  ProcessDone,
  ProcessExitedAlready,
  ProcessTerminated,
  SystemCallError,
} from "../../reactor/errors.ts";
import { libc } from "../../reactor/ffi/mod.ts";
import type { Reactor } from "../../reactor/install.ts";
import { MemoryProcessTransport } from "../../testing/memory_process.ts";
import { MemoryReactor } from "../../testing/memory_reactor.ts";
import { pipe, readAll, Recorder } from "../process/_stdio_helpers.ts";
import { KINDS, withReactor } from "../reactor/_helpers.ts";

/** Hangs up once it has heard `hangUpAfter`. */
class Client extends Recorder {
  hangUpAfter: string | null = null;
  override dataReceived(data: Uint8Array): void {
    super.dataReceived(data);
    if (this.heard === this.hangUpAfter) this.transport!.loseConnection();
  }
}

const on = (r: Reactor): IReactorProcess => r as unknown as IReactorProcess;

function failure(d: Deferred<unknown>): Promise<unknown> {
  return Promise.resolve(d).then(() => null, (e: unknown) => e);
}

for (const kind of KINDS) {
  describe(`ProcessEndpoint on ${kind}`, () => {
    it("connects a stream protocol to the child's stdin and stdout", () =>
      withReactor(kind, async (r) => {
        const endpoint = new ProcessEndpoint(on(r), "cat", ["cat"]);
        const client = await endpoint.connect<Client>(Factory.forProtocol(Client));
        assert.ok(client instanceof Client);
        assert.ok(client.transport !== null, "connected before the Deferred fired");
        assert.ok(client.transport.getPeer() instanceof ProcessAddress);
        assert.equal(client.transport.getHost().type, "PROCESS");
        client.hangUpAfter = "one two";
        client.transport.writeSequence(["one ", "two"]);
        // Once cat echoed it all, loseConnection closes its pipes: it ends.
        const reason = await client.lost;
        assert.ok(reason.check(ProcessDone));
        assert.equal(client.heard, "one two");
      }));

    it("connectionLost carries ProcessTerminated for a non-zero exit", () =>
      withReactor(kind, async (r) => {
        const endpoint = new ProcessEndpoint(on(r), "sh", ["sh", "-c", "echo bye; exit 3"]);
        const client = await endpoint.connect<Client>(Factory.forProtocol(Client));
        const e = (await client.lost).value as ProcessTerminated;
        assert.ok(e instanceof ProcessTerminated);
        assert.equal(e.exitCode, 3);
        assert.equal(client.heard, "bye\n");
      }));

    it("stderr is logged with errFlag \"log\" (the default) and dropped with \"drop\"", () =>
      withReactor(kind, async (r) => {
        const messages: string[] = [];
        const observer = (e: log.LogEvent): void => {
          messages.push(e.message.map(String).join(" "));
        };
        log.addObserver(observer);
        try {
          for (const errFlag of ["log", "drop"] as const) {
            const endpoint = new ProcessEndpoint(on(r), "sh", [
              "sh",
              "-c",
              `echo ${errFlag}-noise >&2`,
            ], {
              errFlag,
            });
            const client = await endpoint.connect<Client>(Factory.forProtocol(Client));
            assert.ok((await client.lost).check(ProcessDone));
          }
        } finally {
          log.removeObserver(observer);
        }
        assert.ok(
          messages.some((m) => /Process "sh" wrote stderr unhandled by Client: log-noise/.test(m)),
          messages.join("\n"),
        );
        assert.ok(!messages.some((m) => m.includes("drop-noise")));
      }));

    it("fails the Deferred when the program cannot start or the factory builds nothing", () =>
      withReactor(kind, async (r) => {
        const missing = new ProcessEndpoint(on(r), "skein-no-such-program", ["x"]);
        const e = await failure(missing.connect(Factory.forProtocol(Client)));
        assert.ok(e instanceof SystemCallError && /skein-no-such-program/.test(e.message));
        const none = new Factory();
        none.buildProtocol = (): IProtocol | null => null;
        assert.ok(
          await failure(new ProcessEndpoint(on(r), "true").connect(none)) instanceof NoProtocol,
        );
        assert.throws(
          () => new ProcessEndpoint(on(r), "true", ["true"], { errFlag: "loud" as "log" }),
          /errFlag must be "log" or "drop"/,
        );
      }));
  });
}

for (const kind of KINDS.filter((k) => k !== "host")) {
  describe(`StandardIOEndpoint on ${kind}`, () => {
    it("listen connects the factory's protocol to stdin/stdout and fires with the StandardIO (Twisted's StandardIOEndpoint)", () =>
      withReactor(kind, async (r) => {
        const [inRead, writeEnd] = pipe();
        let inWrite = writeEnd;
        const [outRead, outWrite] = pipe();
        try {
          const built: [unknown, Recorder][] = [];
          const factory = Factory.forProtocol(Recorder);
          const build = factory.buildProtocol.bind(factory);
          factory.buildProtocol = (addr) => {
            const protocol = build(addr) as Recorder;
            built.push([addr, protocol]);
            return protocol;
          };
          const endpoint = new StandardIOEndpoint(r, { stdin: inRead, stdout: outWrite });
          const stdio = await endpoint.listen(factory);
          assert.ok(stdio instanceof StandardIO);
          assert.equal(built.length, 1);
          const [addr, protocol] = built[0];
          assert.ok(addr instanceof PipeAddress, "built for a PipeAddress");
          assert.equal(protocol.transport, stdio, "connected before the Deferred fired");
          stdio.write("out");
          libc().write(inWrite, new TextEncoder().encode("in"), 2);
          libc().close(inWrite);
          inWrite = -1;
          // Not half-closeable: the end of stdin loses the connection.
          await protocol.lost;
          assert.deepEqual(protocol.events, ["data in", "connectionLost"]);
          // The "port" is stopped already: stopListening fires at once.
          await stdio.stopListening();
          assert.equal(readAll(outRead), "out");
        } finally {
          for (const fd of [inRead, inWrite, outRead, outWrite]) if (fd >= 0) libc().close(fd);
        }
      }));

    it("stopListening loses the connection once what was written is out, and fires after connectionLost", () =>
      withReactor(kind, async (r) => {
        const [inRead, inWrite] = pipe();
        const [outRead, outWrite] = pipe();
        try {
          const endpoint = new StandardIOEndpoint(r, { stdin: inRead, stdout: outWrite });
          const stdio = await endpoint.listen(Factory.forProtocol(Recorder));
          stdio.write("bye");
          await stdio.stopListening();
          assert.equal(readAll(outRead), "bye");
        } finally {
          for (const fd of [inRead, inWrite, outRead, outWrite]) libc().close(fd);
        }
      }));

    it("fails the Deferred when the factory builds nothing or an fd is bad", () =>
      withReactor(kind, async (r) => {
        const none = new Factory();
        none.buildProtocol = (): IProtocol | null => null;
        assert.ok(await failure(new StandardIOEndpoint(r).listen(none)) instanceof NoProtocol);
        const bad = new StandardIOEndpoint(r, { stdin: -1 });
        assert.match(
          String(await failure(bad.listen(Factory.forProtocol(Recorder)))),
          /stdin must be a file descriptor/,
        );
      }));
  });
}

describe("the stdio: string form", () => {
  it("serverFromString(reactor, \"stdio:\") is a StandardIOEndpoint on that reactor; parameters are refused", () => {
    const reactor = new MemoryReactor();
    for (const description of ["stdio:", "stdio"]) {
      const endpoint = serverFromString(reactor, description);
      assert.ok(endpoint instanceof StandardIOEndpoint);
      assert.equal(endpoint.reactor, reactor);
    }
    assert.throws(
      () => serverFromString(reactor, "stdio:fd=3"),
      (e: unknown) =>
        e instanceof EndpointDescriptionError && /unknown parameter 'fd'/.test(e.message),
    );
  });
});

describe("ProcessEndpoint on MemoryReactor (Twisted's MemoryProcessReactor)", () => {
  it("spawnProcess is recorded with its arguments and connects the protocol to a MemoryProcessTransport", async () => {
    const reactor = new MemoryReactor();
    const endpoint = new ProcessEndpoint(reactor, "cat", ["cat", "-u"], {
      env: { A: "1" },
      path: "/tmp",
      errFlag: "drop",
    });
    const client = await endpoint.connect<Client>(Factory.forProtocol(Client));
    assert.equal(reactor.processes.length, 1);
    const [processProtocol, executable, args, options, transport] = reactor.processes[0];
    assert.equal(executable, "cat");
    assert.deepEqual(args, ["cat", "-u"]);
    assert.deepEqual(options, { env: { A: "1" }, path: "/tmp" });
    assert.ok(transport instanceof MemoryProcessTransport);
    assert.equal(processProtocol.transport, transport);
    // The stream protocol writes to the child's stdin; what the child prints reaches it.
    client.transport!.write("ping");
    assert.equal(new TextDecoder().decode(transport.value(0)), "ping");
    processProtocol.childDataReceived(1, new TextEncoder().encode("pong"));
    assert.equal(client.heard, "pong");
    client.transport!.loseConnection();
    assert.deepEqual(transport.closed, [0, 2, 1]);
    transport.signalProcess("TERM");
    assert.deepEqual(transport.signals, ["TERM"]);
    transport.reaped();
    assert.throws(() => transport.signalProcess("KILL"), ProcessExitedAlready);
    processProtocol.processEnded(new Failure(new ProcessDone(0)));
    assert.ok((await client.lost).check(ProcessDone));
  });
});
