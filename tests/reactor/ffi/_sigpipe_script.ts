/**
 * A child process for the SIGPIPE test: `_sigpipe_script.ts KIND MODE`. It
 * puts SIGPIPE back to its default action (terminate; the runtimes ignore
 * it), then keeps writing to a peer that closed, until the connection is
 * lost: MODE `write` with `write` (one send), `sequence` with
 * `writeSequence` (the vectored send). It prints `lost <error name>` and
 * exits 0; a SIGPIPE would kill it first.
 */
import process from "node:process";
import { dlopenLibrary, libraryPaths } from "../../../reactor/ffi/mod.ts";
import { createReactor, type ReactorKind } from "../../../reactor/install.ts";
import { accepted, tcpPair } from "../_connect.ts";
import { pattern, type Recorder } from "../_helpers.ts";

const [kind, mode] = process.argv.slice(-2) as [ReactorKind, string];
const SIGPIPE = 13; // Linux and macOS
const signal = dlopenLibrary(libraryPaths(process.platform === "darwin" ? "darwin" : "linux"), {
  signal: { parameters: ["i32", "usize"], result: "usize" },
});
signal.symbols.signal(SIGPIPE, 0); // SIG_DFL

const reactor = createReactor(kind);
reactor.callWhenRunning(async () => {
  const { sf, port, client: c } = await tcpPair(reactor);
  const s: Recorder = await accepted(sf);
  // The server does not read, so it learns of the close only by writing.
  (s.transport as unknown as { pauseProducing(): void; }).pauseProducing();
  c.transport!.loseConnection();
  await c.lost;
  const big = Array.from({ length: 8 }, (_, i) => pattern(64_000, i + 1));
  const writer = setInterval(() => {
    if (mode === "sequence") s.transport?.writeSequence(big);
    else s.transport?.write(big[0]);
  }, 1);
  const reason = await s.lost;
  clearInterval(writer);
  console.log(`lost ${(reason.value as Error).name}`);
  await port.stopListening();
  reactor.stop();
});
await reactor.run({ installSignalHandlers: false });
