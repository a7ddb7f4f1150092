// ProcessEndpoint on every reactor kind, against real programs: a stream
// protocol talks to a child over its stdin/stdout as over TCP (Twisted's
// ProcessEndpoint / _WrapIProtocol / _ProcessEndpointTransport): connect fires
// with the connected protocol, connectionLost carries ProcessDone or
// ProcessTerminated, stderr is logged (errFlag "log") or dropped, a program
// that cannot start fails the Deferred.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Deferred } from "../../deferred/deferred.ts";
import type { Failure } from "../../deferred/failure.ts";
import { NoProtocol } from "../../endpoints/errors.ts";
import { ProcessAddress, ProcessEndpoint } from "../../endpoints/process.ts";
import type { IProtocol, IReactorProcess } from "../../interfaces.ts";
import * as log from "../../log/log.ts";
import { Factory, Protocol } from "../../protocols/mod.ts";
import { ProcessDone, ProcessTerminated, SystemCallError } from "../../reactor/errors.ts";
import type { Reactor } from "../../reactor/install.ts";
import { KINDS, withReactor } from "../reactor/_helpers.ts";

class Client extends Protocol {
  heard = "";
  hangUpAfter: string | null = null;
  readonly lost: Promise<Failure>;
  #resolve!: (f: Failure) => void;
  constructor() {
    super();
    this.lost = new Promise((resolve) => {
      this.#resolve = resolve;
    });
  }
  override dataReceived(data: Uint8Array): void {
    this.heard += new TextDecoder().decode(data);
    if (this.heard === this.hangUpAfter) this.transport!.loseConnection();
  }
  override connectionLost(reason: Failure): void {
    this.#resolve(reason);
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
