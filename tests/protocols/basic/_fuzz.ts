// Test helpers for the framing protocols: a seeded PRNG (so every fuzz run is
// reproducible from its seed) and ways to cut a byte stream into chunks.

import { concatBytes } from "../../../protocols/basic/_buffer.ts";

/** mulberry32: a small, fast, seeded PRNG returning floats in [0, 1). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** An integer in [lo, hi]. */
export function int(r: () => number, lo: number, hi: number): number {
  return lo + Math.floor(r() * (hi - lo + 1));
}

/** `n` random bytes. */
export function bytes(r: () => number, n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.floor(r() * 256);
  return out;
}

/** Concatenate byte arrays. */
export const concat: (parts: readonly Uint8Array[]) => Uint8Array = concatBytes;

/**
 * Cut `data` into chunks at random points. Styles: tiny chunks (1-3 bytes),
 * mixed sizes, or a few big chunks; chunks are fresh copies so a parser that
 * keeps a reference to a caller's array is caught when we scribble on it.
 */
export function chunk(r: () => number, data: Uint8Array): Uint8Array[] {
  const style = int(r, 0, 2);
  const out: Uint8Array[] = [];
  let i = 0;
  while (i < data.length) {
    const max = style === 0 ? 3 : style === 1 ? 64 : Math.max(1, data.length >> 1);
    const n = Math.min(data.length - i, int(r, 1, max));
    out.push(data.slice(i, i + n));
    i += n;
  }
  if (int(r, 0, 3) === 0) out.splice(int(r, 0, out.length), 0, new Uint8Array(0));
  return out;
}

/** Feed `chunks` to `receive`, then overwrite each chunk (the caller may reuse its buffer). */
export function feed(chunks: readonly Uint8Array[], receive: (d: Uint8Array) => unknown): void {
  for (const c of chunks) {
    receive(c);
    c.fill(0xee);
  }
}

/** Every way to cut `data` into chunks of exactly `size` bytes (the last shorter). */
export function fixedChunks(data: Uint8Array, size: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < data.length; i += size) out.push(data.slice(i, i + size));
  return out;
}

export function enc(s: string): Uint8Array {
  return new TextEncoder().encode(s);
}
export function dec(b: Uint8Array): string {
  return new TextDecoder().decode(b);
}

/** Hex of bytes, for readable deepEqual failures. */
export function hex(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
}
