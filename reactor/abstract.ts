/**
 * `FileDescriptor`: the base of every FFI transport, Twisted's
 * `twisted/internet/abstract.py`. It owns the write buffer, the
 * producer/consumer bookkeeping (pausing a streaming producer when the buffer
 * passes {@linkcode FileDescriptor.bufferSize}, asking a pull producer for
 * more when it drains), `loseConnection` after the buffer drains and the
 * half-close of the write side.
 *
 * Unlike Twisted, a write on an idle transport is sent at once (one `send`
 * syscall, no wait for the next poll); only what the kernel does not take is
 * buffered. Writes made while the transport delivers data to its protocol are
 * gathered and sent together when the protocol returns ("corked"), so a
 * protocol that answers with several writes costs one syscall.
 *
 * Buffers handed to `write` are kept by reference, not copied (as Node's
 * `socket.write` does): do not change a `Uint8Array` after writing it.
 *
 * @module
 */

import type { Failure } from "../deferred/failure.ts";
import type {
  IConsumer,
  IPullProducer,
  IPushProducer,
  IReactor,
  IReactorFDSet,
  IReadWriteDescriptor,
} from "../interfaces.ts";
import { ENCODER, notBytes } from "./_socket.ts";
import { ConnectionDone } from "./errors.ts";

/**
 * The reactor a descriptor registers with: a whole reactor with an fd set.
 * @example
 * ```ts
 * import type { FDReactor } from "./abstract.ts";
 * const fds = (r: FDReactor): number => r.getReaders().length;
 * ```
 */
export type FDReactor = IReactor & IReactorFDSet;

/**
 * The most bytes offered to the kernel in one `send` (Twisted's `SEND_LIMIT`).
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { SEND_LIMIT } from "./abstract.ts";
 * assert.equal(SEND_LIMIT, 131072);
 * ```
 */
export const SEND_LIMIT: number = 128 * 1024;

/** One scratch buffer to gather small queued chunks into a single send. */
const GATHER: Uint8Array = new Uint8Array(SEND_LIMIT);

const EMPTY: Uint8Array = new Uint8Array(0);

/** The most queued chunks one vectored write takes. */
const VECTOR_MAX = 64;
/** A head chunk at least this long starts a vectored write (shorter ones are gathered by copying). */
const VECTOR_MIN = 2048;

/**
 * The base class of FFI transports: write buffering, producers and consumers,
 * and the close logic. Subclasses implement {@linkcode FileDescriptor.doRead},
 * {@linkcode FileDescriptor.writeSomeData} and `connectionLost`.
 *
 * @example A descriptor over an fd you own
 * ```ts
 * import assert from "node:assert/strict";
 * import { createReactor, FileDescriptor } from "@skein/skein/reactor";
 * import { ClientFactory, Factory, Protocol } from "@skein/skein/protocols";
 *
 * const reactor = createReactor();
 * class Echo extends Protocol {
 *   override dataReceived(data: Uint8Array): void {
 *     this.transport!.write(data);
 *   }
 * }
 * const port = reactor.listenTCP(0, Factory.forProtocol(Echo), { interface: "127.0.0.1" });
 * let got = "";
 * class Hello extends Protocol {
 *   override connectionMade(): void {
 *     const t = this.transport;
 *     assert.ok(t instanceof FileDescriptor);
 *     assert.equal(t.bufferedAmount, 0);
 *     this.transport!.write("hello");
 *   }
 *   override dataReceived(data: Uint8Array): void {
 *     got += new TextDecoder().decode(data);
 *     this.transport!.loseConnection();
 *   }
 *   override connectionLost(): void {
 *     port.stopListening().addCallback(() => reactor.stop());
 *   }
 * }
 * reactor.connectTCP("127.0.0.1", port.getHost().port, ClientFactory.forProtocol(Hello));
 * await reactor.run();
 * assert.equal(got, "hello");
 * ```
 */
export abstract class FileDescriptor implements IReadWriteDescriptor, IConsumer, IPushProducer {
  /** The reactor this descriptor registers with. */
  readonly reactor: FDReactor;
  /** The file descriptor, or -1 when closed. */
  fd: number = -1;
  /** True while the transport can carry data. */
  connected: boolean = false;
  /** True once the connection is gone. */
  disconnected: boolean = false;
  /** True after `loseConnection()`: closing once the buffer drains. */
  disconnecting: boolean = false;
  /**
   * Bytes buffered before a streaming producer is paused (Twisted's
   * `bufferSize`, 64 KiB).
   */
  bufferSize: number = 65536;
  /** The registered producer, or null. */
  producer: IPushProducer | IPullProducer | null = null;
  /** True while we have paused a streaming producer. */
  producerPaused: boolean = false;
  /** True when the producer is a push (streaming) producer. */
  streamingProducer: boolean = false;

  /** `loseWriteConnection()` was called: shut down writing after the buffer drains. */
  #writeDisconnecting: boolean = false;
  // protected: StreamConnection (the subclass in this package) reads it.
  /** The write side is shut down. */
  protected writeDisconnected: boolean = false;
  /** Registered with the reactor for reading. */
  #reading: boolean = false;
  /** Registered with the reactor for writing. */
  #writing: boolean = false;
  // protected: StreamConnection corks writes while its protocol runs.
  /** While true, writes are queued (not sent) and flushed by {@linkcode FileDescriptor.uncork}. */
  protected corked: boolean = false;

  /**
   * Queued chunks `chunks[head..tail)`; `chunks[head]` is the next to send,
   * from `headOffset`. Slots are reused (no allocation per write).
   */
  #chunks: Uint8Array[] = [];
  #tail: number = 0;
  #head: number = 0;
  #headOffset: number = 0;
  /** Bytes queued and not yet sent. */
  #buffered: number = 0;

  /** Binds the descriptor to a reactor. */
  constructor(reactor: FDReactor) {
    this.reactor = reactor;
  }

  /** The file descriptor number, or -1 once closed. */
  fileno(): number {
    return this.fd;
  }

  /** A short name for log lines. */
  logPrefix(): string {
    return "-";
  }

  /** Bytes written but not yet handed to the kernel. */
  get bufferedAmount(): number {
    return this.#buffered;
  }

  /** Called when the fd is readable. */
  abstract doRead(): Error | null;

  /**
   * Send up to `len` bytes of `data` now. Returns the count the kernel took
   * (0 when it would block), or -1 when the connection is broken.
   */
  abstract writeSomeData(data: Uint8Array, len: number): number;

  // protected: a hook StreamConnection overrides.
  // protected: StreamConnection sets it and overrides writeSomeChunks.
  /** True when {@linkcode FileDescriptor.writeSomeChunks} sends chunks without copying them. */
  protected vectored: boolean = false;

  // protected: StreamConnection overrides it with sendmsg.
  /**
   * Send the queued `chunks[from..to)`, the first from byte `offset`, in one
   * call (only when `vectored`). Returns the bytes the kernel took (0 when
   * it would block), or -1 when the connection is broken.
   */
  protected writeSomeChunks(
    _chunks: readonly Uint8Array[],
    _from: number,
    _offset: number,
    _to: number,
  ): number {
    throw new Error("writeSomeChunks: this descriptor has no vectored write");
  }

  /** The error to disconnect with after `writeSomeData` returned -1. */
  protected writeError(): Error {
    return new Error("write failed");
  }

  /** The reactor dropped this descriptor: update state, stop the producer. */
  connectionLost(_reason: Failure): void {
    this.disconnected = true;
    this.connected = false;
    const producer = this.producer;
    if (producer !== null) {
      this.producer = null;
      producer.stopProducing();
    }
    this.stopReading();
    this.stopWriting();
    this.#chunks = [];
    this.#head = 0;
    this.#tail = 0;
    this.#headOffset = 0;
    this.#buffered = 0;
  }

  /**
   * Write bytes (a string is sent as UTF-8). Sent at once when nothing is
   * buffered; the rest is buffered and sent as the socket drains. A no-op
   * once the connection or its write side is closed.
   */
  write(data: Uint8Array | string): void {
    if (!this.connected || this.writeDisconnected) return;
    const bytes = typeof data === "string" ? ENCODER.encode(data) : data;
    if (!(bytes instanceof Uint8Array)) throw notBytes(data);
    const len = bytes.byteLength;
    if (len === 0) return;
    if (this.#buffered === 0 && !this.corked && !this.#writing) {
      const n = this.writeSomeData(bytes, len);
      if (n === len) {
        if (this.producer !== null && !this.streamingProducer) this.startWriting();
        return;
      }
      if (n < 0) {
        // Broken: keep the data so doWrite() meets the same error and the
        // reactor disconnects us from the top of the loop, not mid-callback.
        this.#enqueue(bytes, len);
        this.startWriting();
        return;
      }
      this.#enqueue(n === 0 ? bytes : bytes.subarray(n), len - n);
    } else {
      this.#enqueue(bytes, len);
    }
    this.#maybePauseProducer();
    if (!this.corked) this.startWriting();
  }

  /** Write several chunks; small ones are joined so they cost one send. */
  writeSequence(data: Iterable<Uint8Array | string>): void {
    if (!this.connected || this.writeDisconnected) return;
    const parts: Uint8Array[] = [];
    let total = 0;
    for (const d of data) {
      const b = typeof d === "string" ? ENCODER.encode(d) : d;
      if (!(b instanceof Uint8Array)) throw notBytes(d);
      if (b.byteLength === 0) continue;
      parts.push(b);
      total += b.byteLength;
    }
    if (parts.length === 0) return;
    if (this.vectored && parts.length > 1) {
      // Queue them all and send them in one vectored write, without copying.
      const idle = this.#buffered === 0 && !this.corked && !this.#writing;
      for (const p of parts) this.#enqueue(p, p.byteLength);
      if (!idle) {
        this.#maybePauseProducer();
        if (!this.corked) this.startWriting();
        return;
      }
      const left = this.#sendBuffered();
      if (left !== 0) {
        if (left > 0) this.#maybePauseProducer();
        this.startWriting(); // on -1, doWrite() meets the error and disconnects us
      } else if (this.producer !== null && !this.streamingProducer) this.startWriting();
      return;
    }
    if (parts.length === 1 || total > SEND_LIMIT) {
      for (const p of parts) this.write(p);
      return;
    }
    const joined = new Uint8Array(total);
    let off = 0;
    for (const p of parts) {
      joined.set(p, off);
      off += p.byteLength;
    }
    this.write(joined);
  }

  /** Append a chunk to the write queue. */
  #enqueue(bytes: Uint8Array, len: number): void {
    const chunks = this.#chunks;
    if (this.#tail < chunks.length) chunks[this.#tail] = bytes;
    else chunks.push(bytes);
    this.#tail++;
    this.#buffered += len;
  }

  /** Pause a streaming producer once the buffer passes `bufferSize`. */
  #maybePauseProducer(): void {
    if (
      this.producer !== null && this.streamingProducer && !this.producerPaused
      && this.#buffered > this.bufferSize
    ) {
      this.producerPaused = true;
      (this.producer as IPushProducer).pauseProducing();
    }
  }

  /**
   * Send what the buffer holds until the kernel stops taking it. Returns the
   * bytes still buffered, or -1 when the connection is broken.
   */
  #sendBuffered(): number {
    const chunks = this.#chunks;
    while (this.#buffered > 0) {
      let head = chunks[this.#head];
      let avail = head.byteLength - this.#headOffset;
      let len: number;
      let n: number;
      if (this.vectored && avail >= VECTOR_MIN && this.#head + 1 < this.#tail) {
        const end = Math.min(this.#tail, this.#head + VECTOR_MAX);
        len = avail;
        for (let i = this.#head + 1; i < end; i++) len += chunks[i].byteLength;
        n = this.writeSomeChunks(chunks, this.#head, this.#headOffset, end);
      } else if (avail < SEND_LIMIT && this.#head + 1 < this.#tail) {
        // Gather small chunks into one send.
        len = 0;
        let i = this.#head;
        let off = this.#headOffset;
        while (i < this.#tail && len < SEND_LIMIT) {
          const c = chunks[i];
          const take = Math.min(c.byteLength - off, SEND_LIMIT - len);
          GATHER.set(off === 0 && take === c.byteLength ? c : c.subarray(off, off + take), len);
          len += take;
          off = 0;
          i++;
        }
        n = this.writeSomeData(GATHER, len);
      } else {
        len = avail > SEND_LIMIT ? SEND_LIMIT : avail;
        n = this.writeSomeData(
          this.#headOffset === 0 ? head : head.subarray(this.#headOffset),
          len,
        );
      }
      if (n < 0) return -1;
      // Consume n bytes from the queue.
      this.#buffered -= n;
      let left = n;
      while (left > 0) {
        head = chunks[this.#head];
        avail = head.byteLength - this.#headOffset;
        if (left >= avail) {
          left -= avail;
          chunks[this.#head] = EMPTY;
          this.#head++;
          this.#headOffset = 0;
        } else {
          this.#headOffset += left;
          left = 0;
        }
      }
      if (n < len) break; // the kernel buffer is full
    }
    if (this.#buffered === 0) {
      // Consumed slots already hold EMPTY: reuse the array from the start.
      this.#head = 0;
      this.#tail = 0;
      this.#headOffset = 0;
      if (chunks.length > 1024) this.#chunks = [];
    } else if (this.#head > 1024 && this.#head * 2 > this.#tail) {
      this.#chunks = chunks.slice(this.#head, this.#tail);
      this.#tail -= this.#head;
      this.#head = 0;
    }
    return this.#buffered;
  }

  /** Called when the fd is writable: send the buffer, then act on a drained buffer. */
  doWrite(): Error | null {
    if (this.#buffered > 0) {
      const left = this.#sendBuffered();
      if (left < 0) return this.writeError();
      if (left > 0) return null;
    }
    return this.#bufferDrained();
  }

  /** The buffer is empty: stop watching writability, resume producers, finish closes. */
  #bufferDrained(): Error | null {
    this.stopWriting();
    const producer = this.producer;
    if (producer !== null && (!this.streamingProducer || this.producerPaused)) {
      this.producerPaused = false;
      producer.resumeProducing();
    } else if (this.disconnecting) {
      return this.#postLoseConnection();
    } else if (this.#writeDisconnecting && !this.writeDisconnected) {
      this.writeDisconnected = true;
      return this.closeWriteConnection();
    }
    return null;
  }

  // protected: StreamConnection calls it after dataReceived.
  /**
   * End a corked section: send what was written meanwhile (one syscall), and
   * fall back to waiting for writability for what the kernel did not take.
   * Returns an error when the connection turned out broken.
   */
  protected uncork(): Error | null {
    this.corked = false;
    if (this.#buffered === 0 || this.#writing) return null;
    const left = this.#sendBuffered();
    if (left < 0) {
      this.startWriting();
      return null; // doWrite() meets the error again and disconnects.
    }
    if (left > 0) {
      this.#maybePauseProducer();
      this.startWriting();
    } else if (this.producer !== null && (!this.streamingProducer || this.producerPaused)) {
      // Drained at once: doWrite resumes the producer (a write while corked may have paused it).
      this.startWriting();
    }
    return null;
  }

  /** What `doWrite` returns once `loseConnection`'s buffer drained: `ConnectionDone`. */
  #postLoseConnection(): Error | null {
    return new ConnectionDone();
  }

  // protected: a hook StreamConnection overrides.
  /** Shut down the write side (subclasses do the syscall). */
  protected closeWriteConnection(): Error | null {
    return null;
  }

  /**
   * Close once everything written has been sent. With a producer registered,
   * the close waits until it is unregistered (a pull or paused producer) as
   * in Twisted.
   */
  loseConnection(): void {
    if (!this.connected || this.disconnecting) return;
    if (this.writeDisconnected) {
      this.stopReading();
      this.stopWriting();
      this.loseConnectionNow();
    } else {
      this.stopReading();
      this.startWriting();
      this.disconnecting = true;
    }
  }

  // protected: a hook StreamConnection implements.
  /** Called by `loseConnection` when the write side is already shut: close at once. */
  protected abstract loseConnectionNow(): void;

  /** Shut down the write side after the buffer drains; reading goes on. */
  loseWriteConnection(): void {
    if (!this.connected || this.#writeDisconnecting) return;
    this.#writeDisconnecting = true;
    this.startWriting();
  }

  /** Register a producer (see `IConsumer.registerProducer`). */
  registerProducer(producer: IPushProducer | IPullProducer, streaming: boolean): void {
    if (this.producer !== null) {
      throw new Error(
        "Cannot register a producer: another producer is registered and was never unregistered",
      );
    }
    if (this.disconnected) {
      producer.stopProducing();
      return;
    }
    this.producer = producer;
    this.streamingProducer = streaming;
    this.producerPaused = false;
    if (!streaming) (producer as IPullProducer).resumeProducing();
  }

  /** Stop consuming from the producer, without disconnecting. */
  unregisterProducer(): void {
    this.producer = null;
    this.producerPaused = false;
    if (this.connected && this.disconnecting) this.startWriting();
  }

  /** Stop reading (flow control): Twisted's `pauseProducing`. */
  pauseProducing(): void {
    this.stopReading();
  }

  /** Start reading again. */
  resumeProducing(): void {
    if (this.connected && !this.disconnecting) this.startReading();
  }

  /** Stop for good: lose the connection. */
  stopProducing(): void {
    this.loseConnection();
  }

  /** Watch for readability. */
  startReading(): void {
    if (!this.#reading && this.fd >= 0) {
      this.#reading = true;
      this.reactor.addReader(this);
    }
  }

  /** Stop watching for readability. */
  stopReading(): void {
    if (this.#reading) {
      this.#reading = false;
      this.reactor.removeReader(this);
    }
  }

  /** Watch for writability. */
  startWriting(): void {
    if (!this.#writing && this.fd >= 0) {
      this.#writing = true;
      this.reactor.addWriter(this);
    }
  }

  /** Stop watching for writability. */
  stopWriting(): void {
    if (this.#writing) {
      this.#writing = false;
      this.reactor.removeWriter(this);
    }
  }
}
