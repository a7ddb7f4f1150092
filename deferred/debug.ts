/**
 * Deferred debug mode (Twisted's `defer.setDebugging` / `getDebugging`).
 *
 * When on, every new Deferred records the stack where it was created and the
 * stack of its first `callback`/`errback`; an `AlreadyCalledError` then shows
 * both, and an unhandled-error report names them. It costs a stack capture per
 * Deferred, so it is off by default.
 *
 * @module
 */

/** Internal state shared with deferred.ts; read it through `getDebugging()`. */
export const debugState: { on: boolean; } = { on: false };

/**
 * Turn Deferred debug mode on or off. Affects Deferreds created afterwards.
 *
 * @example
 * ```ts
 * import { getDebugging, setDebugging } from "./debug.ts";
 * setDebugging(true);
 * console.assert(getDebugging());
 * setDebugging(false);
 * ```
 */
export function setDebugging(on: boolean): void {
  debugState.on = !!on;
}

/**
 * Whether Deferred debug mode is on.
 *
 * @example
 * ```ts
 * import { getDebugging } from "./debug.ts";
 * console.assert(typeof getDebugging() === "boolean");
 * ```
 */
export function getDebugging(): boolean {
  return debugState.on;
}

/** The current call stack as text, minus this helper's own frame(s). */
export function captureStack(skip = 1): string {
  const stack = new Error("stack").stack ?? "";
  const lines = stack.split("\n");
  // V8 puts "Error: stack" first; JavaScriptCore starts with frames.
  const start = lines[0]?.startsWith("Error") ? 1 : 0;
  return lines.slice(start + skip).map((l) => (l.startsWith("    ") ? l : `    at ${l}`)).join(
    "\n",
  );
}

/**
 * What a Deferred remembers in debug mode: where it was created and where it
 * was first fired.
 */
export class DebugInfo {
  /** The stack where the Deferred was created. */
  creator: string | null = null;
  /** The stack of the first `callback`/`errback`. */
  invoker: string | null = null;

  /** Both stacks, in Twisted's ` C:` / ` I:` form. */
  describe(): string {
    let out = "";
    if (this.creator !== null) {
      out += ` C: Deferred was created:\n${prefixLines(this.creator, " C:")}\n`;
    }
    if (this.invoker !== null) {
      out += ` I: First Invoker was:\n${prefixLines(this.invoker, " I:")}\n`;
    }
    return out;
  }
}

function prefixLines(text: string, prefix: string): string {
  return text.split("\n").map((l) => prefix + l).join("\n");
}
