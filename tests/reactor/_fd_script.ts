/**
 * Child process for the fd-limit tests (fd_reserve_test.ts, the select
 * reactor's FD_SETSIZE test in tcp_test.ts): run under a lowered or raised
 * `ulimit -n`, it prints one JSON line with what it observed.
 *
 *   reserve         fill the fd table, free 3 fds, try an 8-fd FDReserve
 *   select-overrun  on the select reactor, a TCP and a Unix port each accept
 *                   one connection on an fd >= FD_SETSIZE, then one below it;
 *                   prints how each ended and whether the ports still listen
 *   select-connect  on the select reactor, connectTCP and connectUNIX while
 *                   every fd below FD_SETSIZE is taken, then with fds free
 */

import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import type { Failure } from "../../deferred/failure.ts";
import type { IConnector } from "../../interfaces.ts";
import { addObserver, type LogEvent, setDefaultObserver } from "../../log/log.ts";
import { ClientFactory, Factory, Protocol } from "../../protocols/mod.ts";
import { FDReserve } from "../../reactor/_fd_reserve.ts";
import { constants as K } from "../../reactor/ffi/constants.ts";
import { errno as E } from "../../reactor/ffi/errno.ts";
import { libc } from "../../reactor/ffi/mod.ts";
import { encodeSockaddr, encodeSockaddrUn } from "../../reactor/ffi/structs.ts";
import { createReactor, type Reactor } from "../../reactor/install.ts";
import type { StreamPort } from "../../reactor/stream_port.ts";

const L = libc();
const placeholder = (): number => L.socket(K.AF_UNIX, K.SOCK_DGRAM | K.SOCK_CLOEXEC, 0);

function reserveCase(): void {
  const mine: number[] = [];
  for (;;) {
    const fd = placeholder();
    if (fd < 0) break;
    mine.push(fd);
  }
  // Three fds free: fewer than the reserve wants.
  for (let i = 0; i < 3; i++) L.close(mine.pop()!);
  const reserve = new FDReserve(8);
  const full = reserve.fill();
  const held = reserve.held;
  // What the runtime (here: us) can still open after the attempt.
  let free = 0;
  for (let i = 0; i < 3; i++) {
    const fd = placeholder();
    if (fd < 0) break;
    free++;
    mine.push(fd);
  }
  for (const fd of mine) L.close(fd);
  reserve.release();
  console.log(JSON.stringify({ full, held, free }));
}

class Echo extends Protocol {
  override dataReceived(data: Uint8Array): void {
    this.transport!.write(data);
  }
}

/**
 * Connect a raw (blocking, FFI) client socket to `sa` and send "hi"; then,
 * on the reactor's clock, read without blocking until something comes:
 * "echo", "closed", "reset", or "no answer" when nothing came within 3 s (a
 * bound on a failure, not a synchronisation). Raw sockets, so that the
 * client side needs nothing of the runtime.
 */
function probe(reactor: Reactor, family: number, sa: Uint8Array): Promise<string> {
  const fd = L.socket(family, K.SOCK_STREAM | K.SOCK_CLOEXEC, 0);
  if (fd < 0) throw new Error(`socket: errno ${L.errno()}`);
  if (L.connect(fd, sa, sa.byteLength) < 0) {
    const err = L.errno();
    L.close(fd);
    return Promise.resolve(err === E.ECONNREFUSED || err === E.ENOENT ? "refused" : `errno ${err}`);
  }
  const hi = new TextEncoder().encode("hi");
  if (L.send(fd, hi, hi.byteLength, K.MSG_NOSIGNAL) !== hi.byteLength) {
    throw new Error(`send: errno ${L.errno()}`);
  }
  const buf = new Uint8Array(64);
  const deadline = Date.now() + 3000;
  return new Promise((resolve) => {
    const done = (what: string): void => {
      L.close(fd);
      resolve(what);
    };
    const look = (): void => {
      const n = L.recv(fd, buf, buf.byteLength, K.MSG_DONTWAIT);
      if (n > 0) return done(new TextDecoder().decode(buf.subarray(0, n)) === "hi" ? "echo" : "?");
      if (n === 0) return done("closed");
      if (L.errno() !== E.EAGAIN) return done("reset");
      if (Date.now() > deadline) return done("no answer");
      reactor.callLater(0.01, look);
    };
    look();
  });
}

async function selectOverrunCase(): Promise<void> {
  setDefaultObserver(false);
  const errors: string[] = [];
  addObserver((e: LogEvent) => {
    if (e.isError) errors.push(`${e.why ?? ""}: ${e.failure?.getErrorMessage() ?? ""}`);
  });
  const reactor = createReactor("select");
  const factory = Factory.forProtocol(Echo);
  const tcp = reactor.listenTCP(0, factory, { interface: "127.0.0.1" });
  const path = join(tmpdir(), `skein-overrun-${process.pid}.sock`);
  const unix = reactor.listenUNIX(path, factory);
  const port = tcp.getHost().port;
  const result: Record<string, unknown> = {};
  reactor.callLater(0, async () => {
    // Take every free fd below FD_SETSIZE right before each accept, so the
    // accepted fd is above it (the runtime opens and closes fds of its own, so
    // filling once is not enough).
    const fillers: number[] = [];
    const fill = (): void => {
      for (;;) {
        const fd = placeholder();
        if (fd < 0) throw new Error("ran out of fds: raise ulimit -n");
        if (fd >= K.FD_SETSIZE) {
          L.close(fd);
          return;
        }
        fillers.push(fd);
      }
    };
    const ports = [tcp, unix] as unknown as StreamPort[];
    const plain = ports.map((p) => p.doRead);
    for (const p of ports) {
      const doRead = p.doRead;
      p.doRead = function(this: StreamPort): Error | null {
        fill();
        return doRead.call(this);
      };
    }
    const tcpSa = encodeSockaddr("127.0.0.1", port);
    const unixSa = encodeSockaddrUn(path);
    result.tcpHigh = await probe(reactor, K.AF_INET, tcpSa);
    result.unixHigh = await probe(reactor, K.AF_UNIX, unixSa);
    for (const fd of fillers) L.close(fd);
    ports.forEach((p, i) => p.doRead = plain[i]);
    result.tcpLow = await probe(reactor, K.AF_INET, tcpSa);
    result.unixLow = await probe(reactor, K.AF_UNIX, unixSa);
    result.listening = ports.map((p) => p.connected && p.fd >= 0);
    result.errors = errors;
    await tcp.stopListening();
    await unix.stopListening();
    reactor.stop();
  });
  await reactor.run({ installSignalHandlers: false });
  console.log(JSON.stringify(result));
}

async function selectConnectCase(): Promise<void> {
  setDefaultObserver(false);
  const reactor = createReactor("select");
  const tcp = reactor.listenTCP(0, Factory.forProtocol(Echo), { interface: "127.0.0.1" });
  const path = join(tmpdir(), `skein-overrun-c-${process.pid}.sock`);
  const unix = reactor.listenUNIX(path, Factory.forProtocol(Echo));
  const port = tcp.getHost().port;
  const result: Record<string, unknown> = {};
  /** Connect; resolve with "echo" or the failure's class and message, and how long it took. */
  const attempt = (connect: (f: ClientFactory) => void): Promise<string> =>
    new Promise((resolve) => {
      const t0 = Date.now();
      class Hi extends Protocol {
        override connectionMade(): void {
          this.transport!.write("hi");
        }
        override dataReceived(): void {
          this.transport!.loseConnection();
          resolve("echo");
        }
      }
      class F extends ClientFactory {
        override clientConnectionFailed(_c: IConnector, reason: Failure): void {
          const e = reason.value as Error;
          resolve(`${e.name}${Date.now() - t0 < 2000 ? " at once" : " late"}: ${e.message}`);
        }
      }
      connect(F.forProtocol(Hi));
      // A bound on a failure (the factory never hears), not a synchronisation.
      reactor.callLater(8, () => resolve("no outcome within 8 s"));
    });
  reactor.callLater(0, async () => {
    const fillers: number[] = [];
    for (;;) {
      const fd = placeholder();
      if (fd < 0) throw new Error("ran out of fds: raise ulimit -n");
      if (fd >= K.FD_SETSIZE) {
        L.close(fd);
        break;
      }
      fillers.push(fd);
    }
    result.tcpHigh = await attempt((f) => reactor.connectTCP("127.0.0.1", port, f, { timeout: 5 }));
    result.unixHigh = await attempt((f) => reactor.connectUNIX(path, f, { timeout: 5 }));
    for (const fd of fillers) L.close(fd);
    result.tcpLow = await attempt((f) => reactor.connectTCP("127.0.0.1", port, f, { timeout: 5 }));
    result.unixLow = await attempt((f) => reactor.connectUNIX(path, f, { timeout: 5 }));
    await tcp.stopListening();
    await unix.stopListening();
    reactor.stop();
  });
  await reactor.run({ installSignalHandlers: false });
  console.log(JSON.stringify(result));
}

const which = process.argv[2];
if (which === "reserve") reserveCase();
else if (which === "select-overrun") await selectOverrunCase();
else if (which === "select-connect") await selectConnectCase();
else throw new Error(`unknown case ${which}`);
