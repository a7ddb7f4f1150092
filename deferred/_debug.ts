/**
 * Internals of Deferred debug mode: the flag, stack capture, and what a
 * Deferred records. The public switch is in `debug.ts`.
 *
 * @module
 */

/** Internal state shared with deferred.ts; read it through `getDebugging()`. */
export const debugState: { on: boolean; } = { on: false };

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
