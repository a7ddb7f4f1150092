/**
 * A terminal line editor: Twisted's `twisted.conch.recvline` (`RecvLine` and
 * `HistoricRecvLine`), for a terminal on the other end of a byte stream.
 *
 * Feed it the characters typed; it writes back what the terminal must show
 * (VT100/ANSI sequences) and reports each finished line. Keys:
 *
 * - printable characters insert at the cursor; Tab inserts two spaces;
 * - Backspace (DEL or ^H) and Delete (`ESC [3~`) remove before/at the cursor;
 * - Left/Right (and ^B/^F) move; Home/End (`ESC [H`, `ESC [1~`, `ESC OH`, ^A and
 *   `ESC [F`, `ESC [4~`, `ESC OF`, ^E) jump to either end; ^U and ^K cut before/after;
 * - Up/Down (and ^P/^N) walk the history (the line being typed is kept);
 * - Enter (CR, LF, or CR LF as one) submits the line;
 * - ^C abandons the line (or interrupts what the line started); ^D deletes at
 *   the cursor, or on an empty line ends the input; ^L clears the screen and
 *   redraws the line.
 *
 * A line longer than the terminal's `width` (one column a character) wraps,
 * and is redrawn over all its rows from the prompt's row.
 *
 * After a line is submitted the editor waits: what is typed meanwhile is kept
 * and edited once {@linkcode LineEditor.showPrompt} is called again, except
 * ^C, which reaches `onInterrupt` at once.
 *
 * @example Typing, moving left, inserting, then recalling the line
 * ```ts
 * import assert from "node:assert/strict";
 * import { LineEditor } from "@skein/skein/manhole";
 *
 * const lines: string[] = [];
 * let screen = "";
 * const editor = new LineEditor({ write: (text) => { screen += text; }, prompt: "> " });
 * editor.onLine = (line) => { lines.push(line); };
 * editor.showPrompt();
 * editor.feed("1 + 3\x1b[D2\r"); // left, then 2 before the 3: "1 + 23"
 * assert.deepEqual(lines, ["1 + 23"]);
 * editor.showPrompt();
 * editor.feed("\x1b[A"); // up: the last line again
 * assert.equal(editor.line, "1 + 23");
 * assert.ok(screen.endsWith("> 1 + 23\x1b[K"));
 * ```
 *
 * @module
 */

/**
 * Options of a {@linkcode LineEditor}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { LineEditorOptions } from "@skein/skein/manhole";
 * const options: LineEditorOptions = { write: () => {}, prompt: ">>> ", historySize: 100 };
 * assert.equal(options.historySize, 100);
 * ```
 */
export interface LineEditorOptions {
  /** Where the terminal output goes. */
  write: (text: string) => void;
  /** The prompt shown before the line. @default {"> "} */
  prompt?: string;
  /** How many lines the history keeps. @default {1000} */
  historySize?: number;
  /**
   * The most characters a line, or what is typed ahead while waiting, may
   * hold; past it `onOverflow` is called and the input is dropped. @default {1000000}
   */
  maxLength?: number;
  /** The terminal's width in columns, for lines that wrap. @default {80} */
  width?: number;
}

const ESC = "\x1b";

/**
 * A line editor with history: Twisted's `HistoricRecvLine`. See the module
 * documentation for the keys.
 *
 * @example A password prompt shows nothing of what is typed
 * ```ts
 * import assert from "node:assert/strict";
 * import { LineEditor } from "@skein/skein/manhole";
 *
 * let screen = "";
 * let got = "";
 * const editor = new LineEditor({ write: (text) => { screen += text; } });
 * editor.onLine = (line) => { got = line; };
 * editor.showPrompt("Password: ", { echo: false, history: false });
 * editor.feed("s3cret\r");
 * assert.equal(got, "s3cret");
 * assert.ok(!screen.includes("s3cret"));
 * assert.deepEqual(editor.history, []);
 * ```
 */
export class LineEditor {
  /** Called with each submitted line. */
  onLine: (line: string) => void = () => {};
  /** Called on ^C (the line is abandoned first when one is being typed). */
  onInterrupt: () => void = () => {};
  /** Called on ^D on an empty line. */
  onEndOfInput: () => void = () => {};
  /** Called once a line (or the typed-ahead input) passes `maxLength`; the input is dropped. */
  onOverflow: () => void = () => {};
  /** The most characters a line or the typed-ahead input may hold. */
  maxLength: number;
  /**
   * The terminal's width in columns (one a character): a line longer than it
   * wraps, and is redrawn over all its rows. Set it when the window changes.
   */
  width: number;

  #write: (text: string) => void;
  #prompt: string;
  #historySize: number;
  #history: string[] = [];
  #historyPosition = 0;
  #draft = "";
  #chars: string[] = [];
  #cursor = 0;
  #reading = false;
  #echo = true;
  #record = true;
  #pending = "";
  #typeahead = "";
  #afterCR = false;
  // Where the last render left things, in rows below the prompt's row: the
  // cursor's row, and the end of the text (row, column).
  #cursorRow = 0;
  #endRow = 0;
  #endCol = 0;

  /** An editor writing to `options.write`; nothing is shown until `showPrompt`. */
  constructor(options: LineEditorOptions) {
    this.#write = options.write;
    this.#prompt = options.prompt ?? "> ";
    this.#historySize = options.historySize ?? 1000;
    this.width = options.width ?? 80;
    this.maxLength = options.maxLength ?? 1_000_000;
  }

  /** The line being typed. */
  get line(): string {
    return this.#chars.join("");
  }

  /** The cursor's position in the line, in characters. */
  get cursor(): number {
    return this.#cursor;
  }

  /** The submitted lines, oldest first. */
  get history(): readonly string[] {
    return this.#history;
  }

  /** True between `showPrompt` and the line's submission. */
  get reading(): boolean {
    return this.#reading;
  }

  /**
   * Show `prompt` (or the current one) and read a line. `echo: false` shows
   * nothing typed (a password); `history: false` keeps the line out of the
   * history. Keys typed while waiting are replayed now.
   */
  showPrompt(prompt?: string, options: { echo?: boolean; history?: boolean; } = {}): void {
    if (prompt !== undefined) this.#prompt = prompt;
    this.#echo = options.echo ?? true;
    this.#record = options.history ?? true;
    this.#reading = true;
    this.#chars = [];
    this.#cursor = 0;
    this.#historyPosition = this.#history.length;
    this.#draft = "";
    this.#cursorRow = this.#endRow = this.#endCol = 0;
    this.#render(true);
    const typed = this.#typeahead;
    this.#typeahead = "";
    if (typed !== "") this.feed(typed);
  }

  /**
   * Show `text` above the line being typed (output that arrives on its own,
   * such as a Deferred firing), then redraw the prompt and the line.
   */
  printAbove(text: string): void {
    const body = text.replace(/\r?\n/g, "\r\n");
    if (this.#reading) {
      const up = this.#cursorRow > 0 ? `${ESC}[${this.#cursorRow}A` : "";
      this.#write(`${up}\r${ESC}[${this.#endRow > 0 ? "J" : "K"}${body}\r\n`);
      this.#cursorRow = this.#endRow = this.#endCol = 0;
      this.#render(true);
    } else {
      this.#write(`${body}\r\n`);
    }
  }

  /** Clear the screen and redraw the prompt and the line (^L). */
  redraw(): void {
    this.#write(`${ESC}[H${ESC}[2J`);
    this.#cursorRow = this.#endRow = this.#endCol = 0;
    if (this.#reading) this.#render(true);
  }

  /** Handle the characters typed (already decoded from the byte stream). */
  feed(text: string): void {
    let input = this.#pending + text;
    this.#pending = "";
    while (input.length > 0) {
      if (!this.#reading) {
        // Waiting for the line's outcome: ^C interrupts now, the rest waits.
        const at = input.indexOf("\x03");
        if (at < 0) {
          this.#typeahead += input;
          if (this.#typeahead.length > this.maxLength) {
            this.#typeahead = "";
            this.onOverflow();
          }
          return;
        }
        // ^C drops what was typed ahead, as it abandons a line.
        input = input.slice(at + 1);
        this.#typeahead = "";
        this.onInterrupt();
        continue;
      }
      const consumed = this.#key(input);
      if (consumed === 0) {
        // An escape sequence cut short: wait for the rest.
        this.#pending = input;
        return;
      }
      input = input.slice(consumed);
    }
  }

  // Handle the key at the start of `input`; return how many characters it
  // took, or 0 when an escape sequence is incomplete.
  #key(input: string): number {
    const c = input[0];
    const afterCR = this.#afterCR;
    this.#afterCR = false;
    if (c === ESC) return this.#escape(input);
    switch (c) {
      case "\r":
        this.#afterCR = true;
        this.#submit();
        return 1;
      case "\n":
        if (!afterCR) this.#submit();
        return 1;
      case "\x7f":
      case "\b":
        if (this.#cursor > 0) {
          this.#chars.splice(this.#cursor - 1, 1);
          this.#cursor--;
          this.#render();
        }
        return 1;
      case "\t":
        this.#insert("  ");
        return 1;
      case "\x01":
        this.#move(-Infinity);
        return 1;
      case "\x05":
        this.#move(Infinity);
        return 1;
      case "\x02":
        this.#move(-1);
        return 1;
      case "\x06":
        this.#move(1);
        return 1;
      case "\x10":
        this.#historyStep(-1);
        return 1;
      case "\x0e":
        this.#historyStep(1);
        return 1;
      case "\x15":
        this.#chars.splice(0, this.#cursor);
        this.#cursor = 0;
        this.#render();
        return 1;
      case "\x0b":
        this.#chars.splice(this.#cursor);
        this.#render();
        return 1;
      case "\x0c":
        this.redraw();
        return 1;
      case "\x03":
        this.#write(`${this.#toEnd()}^C\r\n`);
        this.#reading = false;
        this.#chars = [];
        this.#cursor = 0;
        this.onInterrupt();
        return 1;
      case "\x04":
        if (this.#chars.length === 0) {
          this.#reading = false;
          this.#write(`${this.#toEnd()}\r\n`);
          this.onEndOfInput();
        } else this.#deleteForward();
        return 1;
      default: {
        const code = input.codePointAt(0)!;
        if (code < 0x20) return 1; // other control characters are ignored
        const char = String.fromCodePoint(code);
        this.#insert(char);
        return char.length;
      }
    }
  }

  #escape(input: string): number {
    if (input.length < 2) return 0;
    const kind = input[1];
    if (kind === "O") {
      if (input.length < 3) return 0;
      this.#named(input[2]);
      return 3;
    }
    if (kind !== "[") return 1; // a lone ESC (or Alt+key): ignored
    let end = 2;
    while (end < input.length && /[0-9;]/.test(input[end])) end++;
    if (end >= input.length) return end > 12 ? 1 : 0;
    const params = input.slice(2, end);
    const final = input[end];
    if (final === "~") {
      const named: Record<string, string> = { "1": "H", "7": "H", "4": "F", "8": "F", "3": "del" };
      const key = named[params];
      if (key !== undefined) this.#named(key);
    } else this.#named(final);
    return end + 1;
  }

  #named(key: string): void {
    switch (key) {
      case "A":
        this.#historyStep(-1);
        break;
      case "B":
        this.#historyStep(1);
        break;
      case "C":
        this.#move(1);
        break;
      case "D":
        this.#move(-1);
        break;
      case "H":
        this.#move(-Infinity);
        break;
      case "F":
        this.#move(Infinity);
        break;
      case "del":
        this.#deleteForward();
        break;
    }
  }

  #insert(text: string): void {
    const chars = [...text];
    if (this.#chars.length + chars.length > this.maxLength) {
      this.#chars = [];
      this.#cursor = 0;
      this.#reading = false;
      this.onOverflow();
      return;
    }
    this.#chars.splice(this.#cursor, 0, ...chars);
    this.#cursor += chars.length;
    this.#render();
  }

  #deleteForward(): void {
    if (this.#cursor < this.#chars.length) {
      this.#chars.splice(this.#cursor, 1);
      this.#render();
    }
  }

  #move(by: number): void {
    const to = Math.max(0, Math.min(this.#chars.length, this.#cursor + by));
    if (to !== this.#cursor) {
      this.#cursor = to;
      this.#render();
    }
  }

  #historyStep(by: -1 | 1): void {
    if (!this.#record) return;
    const to = this.#historyPosition + by;
    if (to < 0 || to > this.#history.length) return;
    if (this.#historyPosition === this.#history.length) this.#draft = this.line;
    this.#historyPosition = to;
    const text = to === this.#history.length ? this.#draft : this.#history[to];
    this.#chars = [...text];
    this.#cursor = this.#chars.length;
    this.#render();
  }

  #submit(): void {
    const line = this.line;
    const toEnd = this.#toEnd();
    this.#reading = false;
    this.#write(`${toEnd}\r\n`);
    if (this.#record && line.trim() !== "" && this.#history.at(-1) !== line) {
      this.#history.push(line);
      if (this.#history.length > this.#historySize) this.#history.shift();
    }
    this.#chars = [];
    this.#cursor = 0;
    this.onLine(line);
  }

  // The moves from the cursor to the end of the text, as last drawn.
  #toEnd(): string {
    if (!this.#echo) return "";
    const down = this.#endRow - this.#cursorRow;
    if (down === 0) {
      const right = this.#endCol - (this.#promptLength() + this.#cursor) % this.width;
      return right > 0 ? `${ESC}[${right}C` : "";
    }
    return `${ESC}[${down}B\r${this.#endCol > 0 ? `${ESC}[${this.#endCol}C` : ""}`;
  }

  #promptLength(): number {
    return [...this.#prompt].length;
  }

  // Redraw the line: prompt, text, erase the rest, cursor back in place. A
  // line within one row is redrawn on that row; a longer one over its rows.
  #render(force = false): void {
    // With echo off nothing typed shows, so only the prompt is ever drawn.
    if (!this.#reading || (!this.#echo && !force)) return;
    const shown = this.#echo ? this.line : "";
    const width = Math.max(1, this.width);
    const length = this.#promptLength() + (this.#echo ? this.#chars.length : 0);
    const target = this.#promptLength() + (this.#echo ? this.#cursor : 0);
    if (this.#endRow === 0 && length < width) {
      let out = `\r${this.#prompt}${shown}${ESC}[K`;
      const back = length - target;
      if (back > 0) out += `${ESC}[${back}D`;
      this.#cursorRow = 0;
      this.#endCol = length;
      this.#write(out);
      return;
    }
    let out = this.#cursorRow > 0 ? `${ESC}[${this.#cursorRow}A` : "";
    out += `\r${this.#prompt}${shown}${ESC}[J`;
    // A text that ends at the right margin leaves the cursor there (pending
    // wrap): a space and CR put it at the start of the next row.
    if (length % width === 0) out += ` \r${ESC}[K`;
    const endRow = Math.floor(length / width);
    const targetRow = Math.floor(target / width);
    const targetCol = target % width;
    if (endRow > targetRow) out += `${ESC}[${endRow - targetRow}A`;
    out += `\r${targetCol > 0 ? `${ESC}[${targetCol}C` : ""}`;
    this.#cursorRow = targetRow;
    this.#endRow = endRow;
    this.#endCol = length % width;
    this.#write(out);
  }
}
