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
 * Incoming chunks are copied once into storage this buffer owns; messages are
 * handed out as `subarray` views of that storage (no copy per message, which
 * matters: a small typed-array allocation costs far more than a view on V8).
 * Once a view has been handed out the storage is *shared*: bytes before the
 * end are never written again (new data only goes after them, and compaction
 * or reuse moves to fresh storage), so a delivered message never changes.
 *
 * Consumption moves a read offset; storage grows geometrically and is
 * compacted only when that halves it, so appending costs amortised O(1) per
 * byte however the data is chunked.
 */
export class ByteBuffer {
  #buf: Uint8Array = EMPTY;
  /** `#buf` up to `#end`: searches on it stop at the data's end. */
  #view: Uint8Array = EMPTY;
  #start = 0;
  #end = 0;
  /** A view into `#buf` was handed out: bytes before `#end` are frozen. */
  #shared = false;

  /** How many unread bytes there are. */
  get length(): number {
    return this.#end - this.#start;
  }

  /** Copy `data` in after the unread bytes. */
  append(data: Uint8Array): void {
    const n = data.length;
    if (n === 0) return;
    const len = this.#end - this.#start;
    if (this.#end + n > this.#buf.length) {
      const cap = this.#buf.length;
      if (len === 0) {
        // Nothing kept: a fresh copy of just this chunk (the common case).
        this.#buf = new Uint8Array(Math.max(n, 64));
        this.#shared = false;
      } else if (!this.#shared && len + n <= cap >>> 1) {
        // Plenty of room once the consumed prefix is dropped.
        this.#buf.copyWithin(0, this.#start, this.#end);
      } else {
        const next = new Uint8Array(Math.max(256, 2 * (len + n)));
        next.set(this.#buf.subarray(this.#start, this.#end), 0);
        this.#buf = next;
        this.#shared = false;
      }
      this.#start = 0;
      this.#end = len;
    }
    this.#buf.set(data, this.#end);
    this.#end += n;
    this.#view = this.#buf.subarray(0, this.#end);
  }

  /** The byte at `i` (relative to the first unread byte). */
  at(i: number): number {
    return this.#buf[this.#start + i];
  }

  /** Index (relative) of the first occurrence of `needle` at or after `from`, or -1. */
  indexOf(needle: Uint8Array, from: number): number {
    const buf = this.#view;
    const m = needle.length;
    if (m === 0) return from <= this.length ? from : -1;
    const first = needle[0];
    let i = this.#start + from;
    const last = this.#end - m;
    while (i <= last) {
      // Scan short distances in JS (a native indexOf call costs more than a
      // typical line), hand long ones to the native search.
      let j = -1;
      const stop = Math.min(last, i + 64);
      for (let p = i; p <= stop; p++) {
        if (buf[p] === first) {
          j = p;
          break;
        }
      }
      if (j < 0) {
        if (stop >= last) return -1;
        j = buf.indexOf(first, stop + 1);
        if (j < 0 || j > last) return -1;
      }
      let k = 1;
      while (k < m && buf[j + k] === needle[k]) k++;
      if (k === m) return j - this.#start;
      i = j + 1;
    }
    return -1;
  }

  /**
   * Remove and return the first `n` unread bytes, as a view that stays valid
   * and unchanged for good.
   */
  take(n: number): Uint8Array {
    const s = this.#start;
    const out = this.#buf.subarray(s, s + n);
    this.#shared = true;
    this.skip(n);
    return out;
  }

  /** Drop the first `n` unread bytes. */
  skip(n: number): void {
    this.#start += n;
    if (this.#start >= this.#end) this.#reset();
  }

  /** Remove and return every unread byte (see `take`). */
  takeAll(): Uint8Array {
    return this.take(this.#end - this.#start);
  }

  /** A copy of every unread byte, leaving them unread. */
  copyAll(): Uint8Array {
    return this.#buf.slice(this.#start, this.#end);
  }

  /** Forget every unread byte. */
  clear(): void {
    this.#reset();
  }

  #reset(): void {
    this.#start = 0;
    this.#end = 0;
    this.#view = EMPTY;
    // Reuse unshared storage unless it is big (an idle connection should not
    // keep a past burst's memory); shared storage belongs to handed-out views.
    if (this.#shared || this.#buf.length > 65536) {
      this.#buf = EMPTY;
      this.#shared = false;
    }
  }
}
