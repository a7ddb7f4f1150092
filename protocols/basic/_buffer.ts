/**
 * Internal helpers of the framing protocols: a receive buffer with a read
 * offset (so parsing many small chunks or one huge chunk stays linear), and
 * UTF-8 conversion.
 *
 * @module
 */

const EMPTY = new Uint8Array(0);
const encoder = new TextEncoder();

/** Encode a string as UTF-8, pass bytes through. */
export function toBytes(data: Uint8Array | string): Uint8Array {
  return typeof data === "string" ? encoder.encode(data) : data;
}

/** Concatenate byte arrays into one new array. */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/**
 * The unread bytes of a connection.
 *
 * Data is appended at the end and consumed from the front by moving an
 * offset; storage grows by doubling and is compacted only when that halves
 * it, so appends cost amortised O(1) per byte whatever the chunking. When the
 * buffer is empty a chunk can be *borrowed* (parsed in place without a copy);
 * `release()` then copies whatever is left unread, because the caller may
 * reuse its array once `dataReceived` returns.
 */
export class ByteBuffer {
  #buf: Uint8Array = EMPTY;
  #start = 0;
  #end = 0;
  #owned = true;

  /** How many unread bytes there are. */
  get length(): number {
    return this.#end - this.#start;
  }

  /** Take `data` without copying when empty, else append it (copying). */
  feed(data: Uint8Array): void {
    if (this.#end === this.#start && data.length > 0) {
      this.#buf = data;
      this.#start = 0;
      this.#end = data.length;
      this.#owned = false;
    } else {
      this.append(data);
    }
  }

  /** Copy `data` in after the unread bytes. */
  append(data: Uint8Array): void {
    const n = data.length;
    if (n === 0) return;
    const len = this.#end - this.#start;
    if (!this.#owned || this.#end + n > this.#buf.length) {
      const cap = this.#buf.length;
      if (this.#owned && len + n <= cap >>> 1) {
        // Plenty of room once the consumed prefix is dropped.
        this.#buf.copyWithin(0, this.#start, this.#end);
      } else {
        const next = new Uint8Array(Math.max(len + n, cap * 2, 256));
        next.set(this.#buf.subarray(this.#start, this.#end), 0);
        this.#buf = next;
        this.#owned = true;
      }
      this.#start = 0;
      this.#end = len;
    }
    this.#buf.set(data, this.#end);
    this.#end += n;
  }

  /** The byte at `i` (relative to the first unread byte). */
  at(i: number): number {
    return this.#buf[this.#start + i];
  }

  /** A view of `n` unread bytes from relative offset `from` (valid until the next change). */
  view(from: number, n: number): Uint8Array {
    const s = this.#start + from;
    return this.#buf.subarray(s, s + n);
  }

  /** Index (relative) of the first occurrence of `needle` at or after `from`, or -1. */
  indexOf(needle: Uint8Array, from: number): number {
    const end = this.#end;
    // Search a view ending at the data's end: the storage past it is stale.
    const buf = this.#buf.subarray(0, end);
    const m = needle.length;
    if (m === 0) return from <= this.length ? from : -1;
    const first = needle[0];
    let i = this.#start + from;
    const last = end - m;
    while (i <= last) {
      const j = buf.indexOf(first, i);
      if (j < 0 || j > last) return -1;
      let k = 1;
      while (k < m && buf[j + k] === needle[k]) k++;
      if (k === m) return j - this.#start;
      i = j + 1;
    }
    return -1;
  }

  /** Remove and return (as a copy) the first `n` unread bytes. */
  take(n: number): Uint8Array {
    const s = this.#start;
    const out = this.#buf.slice(s, s + n);
    this.skip(n);
    return out;
  }

  /** Drop the first `n` unread bytes. */
  skip(n: number): void {
    this.#start += n;
    if (this.#start >= this.#end) this.#reset();
  }

  /** Remove and return (as a copy) every unread byte. */
  takeAll(): Uint8Array {
    return this.take(this.#end - this.#start);
  }

  /** Forget every unread byte. */
  clear(): void {
    this.#reset();
  }

  /** Stop borrowing the caller's array: copy any unread remainder into owned storage. */
  release(): void {
    if (this.#owned) return;
    const len = this.#end - this.#start;
    if (len === 0) {
      this.#reset();
      return;
    }
    const next = new Uint8Array(Math.max(len * 2, 256));
    next.set(this.#buf.subarray(this.#start, this.#end), 0);
    this.#buf = next;
    this.#start = 0;
    this.#end = len;
    this.#owned = true;
  }

  #reset(): void {
    this.#start = 0;
    this.#end = 0;
    // Drop borrowed arrays, and big owned ones so an idle connection does not
    // keep a past burst's memory.
    if (!this.#owned || this.#buf.length > 65536) {
      this.#buf = EMPTY;
      this.#owned = true;
    }
  }
}
