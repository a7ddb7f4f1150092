/**
 * listenSSL/connectSSL on the FFI reactor and the host reactor, both
 * engines: Skein to Skein over loopback TCP, a listener that keeps serving
 * after bad clients (garbage instead of a ClientHello, a client that fails
 * verification), and a push producer paused and resumed end to end through
 * TLS (Twisted: producers still apply through TLSMemoryBIOProtocol).
 */

import assert from "node:assert/strict";
import { connect as netConnect } from "node:net";
import { describe, it } from "node:test";
import { Deferred } from "../../deferred/deferred.ts";
import type { IPushProducer } from "../../interfaces.ts";
import { ClientFactory } from "../../protocols/factory.ts";
import { ConnectionDone } from "../../reactor/errors.ts";
import {
  CertificateOptions,
  optionsForClientTLS,
  type TLSEngineName,
  TLSError,
  TLSVerificationError,
} from "../../ssl/mod.ts";
import { withReactor } from "../reactor/_helpers.ts";
import { testCertificates } from "./_certs.ts";
import { ENGINES, KINDS, Recorder, recordingFactory, waitUntil } from "./_helpers.ts";

function oneClient(p: Recorder): { factory: ClientFactory; done: Deferred<void>; } {
  const done = new Deferred<void>();
  const factory = new ClientFactory();
  factory.noisy = false;
  factory.buildProtocol = () => p;
  factory.clientConnectionLost = () => done.callback(undefined);
  factory.clientConnectionFailed = (_c, reason) => done.errback(reason);
  return { factory, done };
}

for (const engine of ENGINES) {
  for (const kind of KINDS) {
    describe(`listenSSL/connectSSL (${engine} engine, ${kind} reactor)`, () => {
      const opts = { engine: engine as TLSEngineName };

      it("Skein to Skein: echo, ALPN, peer certificate, clean close", async () => {
        const certs = testCertificates();
        await withReactor(kind, async (reactor) => {
          const { factory } = recordingFactory();
          const server = new CertificateOptions({
            certificate: certs.server.pc,
            acceptableProtocols: ["skein/1"],
          });
          const port = reactor.listenSSL(0, factory, server, { interface: "127.0.0.1", ...opts });
          const app = new Recorder();
          const { factory: cf, done } = oneClient(app);
          const client = optionsForClientTLS("localhost", {
            trustRoot: certs.caCert,
            acceptableProtocols: ["skein/1"],
          });
          reactor.connectSSL("127.0.0.1", port.getHost().port, cf, client, opts);
          await waitUntil(() => app.transport !== null);
          app.transport!.write("round trip");
          await waitUntil(() => app.received === "round trip");
          const t = app.transport as unknown as {
            negotiatedProtocol: string | null;
            getPeerCertificate(): { commonName: string | null; } | null;
          };
          assert.equal(t.negotiatedProtocol, "skein/1");
          assert.equal(t.getPeerCertificate()?.commonName, "localhost");
          app.transport!.loseConnection();
          await done.toPromise();
          assert.ok(app.lost!.check(ConnectionDone), String(app.lost!.value));
          await port.stopListening();
        });
      });

      it("the listener keeps serving after garbage and after a client that fails verification", async () => {
        const certs = testCertificates();
        await withReactor(kind, async (reactor) => {
          const { factory, made } = recordingFactory();
          const port = reactor.listenSSL(
            0,
            factory,
            new CertificateOptions({ certificate: certs.server.pc }),
            {
              interface: "127.0.0.1",
              ...opts,
            },
          );
          const portNumber = port.getHost().port;
          // 1. Plain text instead of a ClientHello.
          const raw = netConnect(portNumber, "127.0.0.1");
          raw.on("error", () => {});
          raw.write("HELLO? this is not TLS\r\n\r\n");
          await waitUntil(() => made[0]?.lost != null);
          assert.ok(made[0].lost!.value instanceof TLSError, String(made[0].lost!.value));
          raw.destroy();
          // 2. A client that does not trust the server.
          const wary = new Recorder();
          const w = oneClient(wary);
          reactor.connectSSL(
            "127.0.0.1",
            portNumber,
            w.factory,
            optionsForClientTLS("localhost"),
            opts,
          );
          await w.done.toPromise();
          assert.ok(wary.lost!.value instanceof TLSVerificationError, String(wary.lost!.value));
          // 3. A good client still gets served.
          const good = new Recorder();
          const g = oneClient(good);
          reactor.connectSSL(
            "127.0.0.1",
            portNumber,
            g.factory,
            optionsForClientTLS("localhost", { trustRoot: certs.caCert }),
            opts,
          );
          await waitUntil(() => good.transport !== null);
          good.transport!.write("still here?");
          await waitUntil(() => good.received === "still here?");
          good.transport!.loseConnection();
          await g.done.toPromise();
          await port.stopListening();
        });
      });

      it("a push producer is paused and resumed through TLS; 8 MiB arrive intact", async () => {
        const certs = testCertificates();
        const total = 8 * 1024 * 1024;
        await withReactor(kind, async (reactor) => {
          // The server counts what it receives, reading only while unpaused.
          let received = 0;
          let sum = 0;
          const { factory, made } = recordingFactory(() =>
            new (class extends Recorder {
              override dataReceived(data: Uint8Array): void {
                received += data.length;
                for (let i = 0; i < data.length; i++) sum = (sum * 31 + data[i]) % 1_000_003;
              }
            })()
          );
          const port = reactor.listenSSL(
            0,
            factory,
            new CertificateOptions({ certificate: certs.server.pc }),
            {
              interface: "127.0.0.1",
              ...opts,
            },
          );
          const app = new Recorder();
          const { factory: cf, done } = oneClient(app);
          reactor.connectSSL(
            "127.0.0.1",
            port.getHost().port,
            cf,
            optionsForClientTLS("localhost", { trustRoot: certs.caCert }),
            opts,
          );
          await waitUntil(() => app.transport !== null);
          let pauses = 0;
          let sent = 0;
          let expected = 0;
          const chunk = new Uint8Array(16 * 1024);
          const producer: IPushProducer & { paused: boolean; } = {
            paused: false,
            pauseProducing(): void {
              pauses++;
              this.paused = true;
            },
            resumeProducing(): void {
              this.paused = false;
              pump();
            },
            stopProducing(): void {},
          };
          const pump = (): void => {
            while (!producer.paused && sent < total) {
              for (let i = 0; i < chunk.length; i++) {
                chunk[i] = (i * 7 + sent / chunk.length) & 0xff;
              }
              for (let i = 0; i < chunk.length; i++) {
                expected = (expected * 31 + chunk[i]) % 1_000_003;
              }
              app.transport!.write(chunk);
              sent += chunk.length;
            }
            if (sent >= total && !producer.paused) {
              app.transport!.unregisterProducer();
              app.transport!.loseConnection();
            }
          };
          app.transport!.registerProducer(producer, true);
          pump();
          await done.toPromise();
          await waitUntil(() => made[0]?.lost != null, 20000);
          assert.equal(received, total);
          assert.equal(sum, expected);
          assert.ok(pauses > 0, "the producer was never paused");
          assert.ok(app.lost!.check(ConnectionDone), String(app.lost!.value));
          await port.stopListening();
        }, 60000);
      });
    });
  }
}
