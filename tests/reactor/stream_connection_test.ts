// What every stream transport offers beyond Twisted's contract, on every
// reactor kind, over TCP and Unix sockets: `bufferedAmount` (bytes written
// and not yet handed to the kernel), and `write`, `writeSequence`,
// `loseConnection` and `abortConnection` that work unbound (passed as
// callbacks: `callLater(2, transport.loseConnection)`).
import assert from "node:assert/strict";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { describe, it } from "node:test";
import type { Failure } from "../../deferred/failure.ts";
import type { IListeningPort, IPushProducer, ITransport } from "../../interfaces.ts";
import {
  addObserver,
  type LogObserver,
  removeObserver,
  setDefaultObserver,
} from "../../log/log.ts";
import { Protocol } from "../../protocols/mod.ts";
import { ConnectionAborted, ConnectionDone } from "../../reactor/errors.ts";
import type { Reactor } from "../../reactor/install.ts";
import {
  ClientFactoryOf,
  KINDS,
  portOf,
  Recorder,
  ServerFactoryOf,
  withReactor,
} from "./_helpers.ts";

type Family = "TCP" | "UNIX";
let seq = 0;

/** Listen on loopback (TCP) or a fresh socket path (Unix) and connect a client to it. */
function listenAndConnect<S extends Protocol, C extends Protocol>(
  r: Reactor,
  family: Family,
  server: () => S,
  client: () => C,
): { port: IListeningPort; sf: ServerFactoryOf<S>; cf: ClientFactoryOf<C>; } {
  const sf = new ServerFactoryOf(server);
  const cf = new ClientFactoryOf(client);
  if (family === "TCP") {
    const port = r.listenTCP(0, sf, { interface: "127.0.0.1" });
    r.connectTCP("127.0.0.1", portOf(port), cf);
    return { port, sf, cf };
  }
  const path = join(tmpdir(), `skein-sc-${process.pid}-${seq++}.sock`);
  const port = r.listenUNIX(path, sf);
  r.connectUNIX(path, cf);
  return { port, sf, cf };
}

/**
 * Rejects with the first error logged while `body` runs (what an unbound
 * method throws inside a `callLater` ends up as), so such a test fails at
 * once instead of waiting for its timeout.
 */
async function failOnLoggedError<T>(body: (logged: Promise<never>) => Promise<T>): Promise<T> {
  let obs: LogObserver = () => {};
  const logged = new Promise<never>((_, reject) => {
    obs = (e) => {
      if (e.isError) reject(e.failure?.value ?? new Error(String(e.why)));
    };
  });
  logged.catch(() => {});
  setDefaultObserver(false);
  addObserver(obs);
  try {
    return await body(logged);
  } finally {
    removeObserver(obs);
    setDefaultObserver(true);
  }
}

const BIG = 32 * 1024 * 1024;

/** Writes BIG bytes at once with a streaming producer registered; records bufferedAmount. */
class BigWriter extends Protocol implements IPushProducer {
  afterWrite = -1;
  atResume = -1;
  drained: Promise<void>;
  #drained!: () => void;
  onWritten: () => void = () => {};
  constructor() {
    super();
    this.drained = new Promise((res) => this.#drained = res);
  }
  override connectionMade(): void {
    const t = this.transport!;
    assert.equal(t.bufferedAmount, 0, "nothing is buffered before the first write");
    t.registerProducer(this, true);
    t.write(new Uint8Array(BIG));
    this.afterWrite = t.bufferedAmount;
    this.onWritten();
  }
  pauseProducing(): void {}
  resumeProducing(): void {
    // Called once the buffer has drained.
    this.atResume = this.transport!.bufferedAmount;
    this.transport!.unregisterProducer();
    this.transport!.loseConnection();
    this.#drained();
  }
  stopProducing(): void {}
}

describe("stream transports", () => {
  for (const kind of KINDS) {
    for (const family of ["TCP", "UNIX"] as Family[]) {
      describe(`${family} on the ${kind} reactor`, () => {
        it("bufferedAmount grows against a slow reader and is 0 once drained", () =>
          withReactor(kind, async (r) => {
            // The client reads nothing until the server has written 32 MiB
            // (more than the kernel's buffers hold), then reads everything.
            let clientT: (ITransport & IPushProducer) | null = null;
            const writer = new BigWriter();
            writer.onWritten = () => clientT?.resumeProducing?.();
            const { port, cf } = listenAndConnect(r, family, () => writer, () => {
              const rec = new Recorder();
              rec.connectionMade = () => {
                const t = rec.transport as ITransport & IPushProducer;
                clientT = t;
                t.pauseProducing();
                if (writer.afterWrite >= 0) t.resumeProducing();
                rec.made.callback(rec);
              };
              return rec;
            });
            const rec = await cf.result;
            await writer.drained;
            const reason = await rec.lost;
            assert.ok(reason.value instanceof ConnectionDone, String(reason.value));
            assert.equal(rec.received, BIG);
            assert.ok(
              writer.afterWrite > 64 * 1024,
              `right after the write, ${writer.afterWrite} bytes are buffered (want > 64 KiB)`,
            );
            assert.ok(writer.afterWrite <= BIG);
            assert.equal(writer.atResume, 0, "the producer is resumed once nothing is buffered");
            assert.equal(writer.transport!.bufferedAmount, 0, "and 0 after the connection is gone");
            await port.stopListening();
          }));

        it("write, writeSequence and loseConnection work unbound (passed as callbacks)", () =>
          withReactor(kind, (r) =>
            failOnLoggedError(async (logged) => {
              const { port, sf, cf } = listenAndConnect(r, family, () => new Recorder(), () => {
                const p = new Recorder();
                p.connectionMade = () => {
                  const t = p.transport!;
                  const { write, writeSequence, loseConnection } = t;
                  write("a");
                  ["b", "c"].forEach((s) => write(s));
                  writeSequence(["d", "e"]);
                  r.callLater(0, write, "f");
                  r.callLater(0, loseConnection);
                  p.made.callback(p);
                };
                return p;
              });
              const client = await Promise.race([cf.result, logged]);
              await Promise.race([client.lost, logged]);
              await port.stopListening();
              const server = sf.built[0];
              const why: Failure = await Promise.race([server.lost, logged]);
              assert.ok(why.value instanceof ConnectionDone, String(why.value));
              assert.equal(new TextDecoder().decode(server.data()), "abcdef");
            })));

        it("abortConnection works unbound", () =>
          withReactor(kind, (r) =>
            failOnLoggedError(async (logged) => {
              const { port, cf } = listenAndConnect(r, family, () => new Recorder(), () => {
                const p = new Recorder();
                p.connectionMade = () => {
                  const abort = (p.transport as unknown as { abortConnection(): void; })
                    .abortConnection;
                  r.callLater(0, abort);
                  p.made.callback(p);
                };
                return p;
              });
              const client = await Promise.race([cf.result, logged]);
              const why = await Promise.race([client.lost, logged]);
              assert.ok(why.value instanceof ConnectionAborted, String(why.value));
              await port.stopListening();
            })));
      });
    }
  }
});
