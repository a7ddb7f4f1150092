/**
 * Echo client, take 2, "twistier": the protocol hands its text to the factory, the
 * factory hands it to a callback it was given and never touches the reactor itself,
 * and a transport error (refused, or lost uncleanly) is reported as an error, not as
 * a reply.
 *
 * `deno run -A examples/echo_client_2.ts 8000 hello`
 *
 * @module
 */

import type { Failure } from "../deferred/mod.ts";
import type { IConnector, IHalfCloseableTransport } from "../interfaces.ts";
import { ClientFactory, Protocol } from "../protocols/mod.ts";
import { ConnectionDone, reactor } from "../reactor/mod.ts";

/** Collects the reply; reports it only if the connection closed cleanly. */
export class EchoClient extends Protocol {
  declare factory: EchoClientFactory;
  private text = "";
  private decoder = new TextDecoder();

  override connectionMade(): void {
    this.transport!.write(this.factory.message);
    (this.transport as IHalfCloseableTransport).loseWriteConnection();
  }

  override dataReceived(data: Uint8Array): void {
    this.text += this.decoder.decode(data, { stream: true });
  }

  override connectionLost(reason: Failure): void {
    if (reason.check(ConnectionDone)) this.factory.replyReceived(this.text);
    else this.factory.failed(reason);
  }
}

/** Reports the reply or the error to the callbacks it was built with. */
export class EchoClientFactory extends ClientFactory {
  override protocol = EchoClient;
  constructor(
    readonly message: string,
    private readonly onReply: (text: string) => void,
    private readonly onError: (reason: Failure) => void,
  ) {
    super();
  }
  /** Called by the protocol with the whole reply. */
  replyReceived(text: string): void {
    this.onReply(text);
  }
  /** Called by the protocol when the connection was lost uncleanly. */
  failed(reason: Failure): void {
    this.onError(reason);
  }
  override clientConnectionFailed(_c: IConnector, reason: Failure): void {
    this.onError(reason);
  }
}

if (import.meta.main) {
  const args = (globalThis as { Deno?: { args: string[]; }; }).Deno?.args
    ?? (globalThis as { process?: { argv: string[]; }; }).process?.argv.slice(2) ?? [];
  const done = (): void => reactor.stop();
  reactor.connectTCP(
    "127.0.0.1",
    Number(args[0] ?? 8000),
    new EchoClientFactory(
      args[1] ?? "Hello, Skein!",
      (text) => {
        console.log(`Reply: ${JSON.stringify(text)}`);
        done();
      },
      (reason) => {
        console.log(`Error: ${reason.getErrorMessage()}`);
        done();
      },
    ),
  );
  await reactor.run();
}
