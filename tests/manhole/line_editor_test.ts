// manhole/line_editor.ts: the recvline-like editor, key by key. Twisted's
// test_recvline drives a terminal and checks the line and the screen; here
// the line, the cursor and the events are checked, and the screen output
// where it matters (echo off, printAbove, ^L).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { LineEditor } from "../../manhole/line_editor.ts";

function editor(): { ed: LineEditor; screen: () => string; lines: string[]; events: string[]; } {
  let out = "";
  const lines: string[] = [];
  const events: string[] = [];
  const ed = new LineEditor({
    write: (t) => {
      out += t;
    },
    prompt: "> ",
  });
  ed.onLine = (line) => {
    lines.push(line);
  };
  ed.onInterrupt = () => {
    events.push("interrupt");
  };
  ed.onEndOfInput = () => {
    events.push("eof");
  };
  ed.showPrompt();
  return { ed, screen: () => out, lines, events };
}

const LEFT = "\x1b[D";
const RIGHT = "\x1b[C";
const UP = "\x1b[A";
const DOWN = "\x1b[B";

describe("LineEditor editing", () => {
  it("inserts at the cursor after Left, and Right moves back (RecvLine's arrow handling)", () => {
    const { ed } = editor();
    ed.feed(`abd${LEFT}c`);
    assert.equal(ed.line, "abcd");
    assert.equal(ed.cursor, 3);
    ed.feed(`${RIGHT}${RIGHT}e`);
    assert.equal(ed.line, "abcde", "Right stops at the end");
  });

  it("Home/End in every encoding the terminals send, and ^A/^E", () => {
    for (
      const [home, end] of [["\x1b[H", "\x1b[F"], ["\x1b[1~", "\x1b[4~"], ["\x1bOH", "\x1bOF"], [
        "\x01",
        "\x05",
      ]]
    ) {
      const { ed } = editor();
      ed.feed(`bc${home}a${end}d`);
      assert.equal(ed.line, "abcd", JSON.stringify([home, end]));
    }
  });

  it("Backspace (DEL and ^H) removes before the cursor, Delete and ^D at it", () => {
    const { ed, events } = editor();
    ed.feed(`abcd\x7f`);
    assert.equal(ed.line, "abc");
    ed.feed(`${LEFT}${LEFT}\b`);
    assert.equal(ed.line, "bc");
    ed.feed(`\x1b[3~`);
    assert.equal(ed.line, "c");
    ed.feed(`\x04`);
    assert.equal(ed.line, "", "^D on a non-empty line deletes at the cursor");
    assert.deepEqual(events, []);
  });

  it("^U cuts before the cursor, ^K after it", () => {
    const { ed } = editor();
    ed.feed(`hello world${LEFT}${LEFT}${LEFT}${LEFT}${LEFT}\x0b`);
    assert.equal(ed.line, "hello ");
    ed.feed(`${LEFT}\x15`);
    assert.equal(ed.line, " ");
  });

  it("an escape sequence split across chunks is one key", () => {
    const { ed } = editor();
    ed.feed("ab\x1b");
    ed.feed("[");
    ed.feed("Dc");
    assert.equal(ed.line, "acb");
  });

  it("keeps non-ASCII characters whole (the cursor counts characters)", () => {
    const { ed } = editor();
    ed.feed(`h€🙂${LEFT}x`);
    assert.equal(ed.line, "h€x🙂");
    assert.equal(ed.cursor, 3);
  });

  it("Enter submits: CR, LF, and CR LF as one Enter", () => {
    const { ed, lines } = editor();
    ed.feed("one\r");
    ed.showPrompt();
    ed.feed("\ntwo\r\n");
    ed.showPrompt();
    ed.feed("three\n");
    assert.deepEqual(lines, ["one", "two", "three"]);
  });
});

describe("LineEditor history (HistoricRecvLine)", () => {
  it("Up walks back, Down forward, and the line being typed comes back at the bottom", () => {
    const { ed } = editor();
    for (const l of ["first", "second"]) {
      ed.feed(`${l}\r`);
      ed.showPrompt();
    }
    ed.feed("draft");
    ed.feed(UP);
    assert.equal(ed.line, "second");
    ed.feed(UP);
    assert.equal(ed.line, "first");
    ed.feed(UP);
    assert.equal(ed.line, "first", "Up stops at the oldest");
    ed.feed(DOWN);
    assert.equal(ed.line, "second");
    ed.feed(DOWN);
    assert.equal(ed.line, "draft");
    ed.feed("\x10");
    assert.equal(ed.line, "second", "^P is Up");
  });

  it("keeps neither blank lines nor an immediate repeat, and drops the oldest past the limit", () => {
    let out = "";
    const ed = new LineEditor({
      write: (t) => {
        out += t;
      },
      historySize: 2,
    });
    for (const l of ["a", "a", "   ", "b", "c"]) {
      ed.showPrompt();
      ed.feed(`${l}\r`);
    }
    assert.deepEqual(ed.history, ["b", "c"]);
    assert.ok(out.length > 0);
  });

  it("a recalled line is edited, not the history entry", () => {
    const { ed, lines } = editor();
    ed.feed("x = 1\r");
    ed.showPrompt();
    ed.feed(`${UP}\x7f2\r`);
    assert.deepEqual(lines, ["x = 1", "x = 2"]);
    assert.deepEqual(ed.history, ["x = 1", "x = 2"]);
  });
});

describe("LineEditor control keys and output", () => {
  it("^C abandons the line and interrupts; ^D on an empty line ends the input", () => {
    const { ed, lines, events, screen } = editor();
    ed.feed("half typed\x03");
    assert.deepEqual(events, ["interrupt"]);
    assert.deepEqual(lines, []);
    assert.ok(screen().endsWith("^C\r\n"));
    assert.equal(ed.reading, false);
    ed.showPrompt();
    assert.equal(ed.line, "");
    ed.feed("\x04");
    assert.deepEqual(events, ["interrupt", "eof"]);
  });

  it("while waiting after Enter, keys are kept and replayed at the next prompt; ^C goes through at once", () => {
    const { ed, lines, events } = editor();
    ed.feed("slow()\rnext");
    assert.equal(ed.reading, false);
    ed.showPrompt();
    assert.equal(ed.line, "next");
    ed.feed("\r");
    ed.feed("typed ahead\x03");
    assert.deepEqual(events, ["interrupt"], "^C reached the app while waiting");
    ed.showPrompt();
    assert.equal(ed.line, "", "^C dropped what was typed ahead");
    assert.deepEqual(lines, ["slow()", "next"]);
  });

  it("with echo off, nothing typed reaches the screen", () => {
    let out = "";
    const ed = new LineEditor({
      write: (t) => {
        out += t;
      },
    });
    ed.showPrompt("Password: ", { echo: false, history: false });
    ed.feed(`hunter2${LEFT}\x7f\r`);
    assert.doesNotMatch(out, /hunter/);
    assert.deepEqual(ed.history, []);
  });

  it("printAbove clears the row, prints, and redraws the prompt, line and cursor", () => {
    const { ed, screen } = editor();
    ed.feed(`abc${LEFT}`);
    const before = screen().length;
    ed.printAbove("Deferred #1 called back: 42\nsecond line");
    assert.equal(
      screen().slice(before),
      "\r\x1b[KDeferred #1 called back: 42\r\nsecond line\r\n\r> abc\x1b[K\x1b[1D",
    );
  });

  it("^L clears the screen and redraws the line", () => {
    const { ed, screen } = editor();
    ed.feed("abc");
    const before = screen().length;
    ed.feed("\x0c");
    assert.equal(screen().slice(before), "\x1b[H\x1b[2J\r> abc\x1b[K");
    assert.equal(ed.line, "abc");
  });
});

describe("LineEditor limits", () => {
  it("a line past maxLength is dropped and reported, as is input typed ahead past it", () => {
    let overflows = 0;
    const ed = new LineEditor({ write: () => {}, maxLength: 5 });
    ed.onOverflow = () => {
      overflows++;
    };
    ed.showPrompt();
    ed.feed("12345");
    assert.equal(overflows, 0);
    ed.feed("6");
    assert.equal(overflows, 1);
    assert.equal(ed.line, "");
    assert.equal(ed.reading, false);
    ed.feed("abcdef");
    assert.equal(overflows, 2, "typed ahead while not reading");
  });
});

describe("LineEditor lines longer than the terminal", () => {
  function narrow(): { ed: LineEditor; take: () => string; } {
    let out = "";
    const ed = new LineEditor({
      write: (t) => {
        out += t;
      },
      prompt: "> ",
      width: 10,
    });
    ed.showPrompt();
    const take = (): string => {
      const t = out;
      out = "";
      return t;
    };
    take();
    return { ed, take };
  }

  it("a text ending at the margin moves the cursor to the next row (past the pending wrap)", () => {
    const { ed, take } = narrow();
    ed.feed("abcdefg");
    take();
    ed.feed("h"); // "> abcdefgh" is 10 columns: the width
    assert.equal(take(), "\r> abcdefgh\x1b[J \r\x1b[K\r");
  });

  it("redraws over every row from the prompt's row, and puts the cursor on its row and column", () => {
    const { ed, take } = narrow();
    ed.feed("abcdefghij"); // 12 columns: two rows, cursor on the second at column 2
    take();
    ed.feed("\x1b[H"); // Home: up to the prompt's row, column 2
    assert.equal(take(), "\x1b[1A\r> abcdefghij\x1b[J\x1b[1A\r\x1b[2C");
    ed.feed("X"); // drawn from the prompt's row (the cursor is on it): no move up first
    assert.equal(take(), "\r> Xabcdefghij\x1b[J\x1b[1A\r\x1b[3C");
  });

  it("Enter and ^C go to the end of the text first, so the next output starts below all of it", () => {
    const { ed, take } = narrow();
    ed.feed("Xabcdefghij\x1b[H\x1b[C");
    take();
    ed.feed("\r");
    assert.equal(take(), "\x1b[1B\r\x1b[3C\r\n");
    ed.showPrompt();
    ed.feed("abc\x1b[D\x1b[D");
    take();
    ed.feed("\x03");
    assert.equal(take(), "\x1b[2C^C\r\n");
  });

  it("printAbove clears every row of the line, and a line shrinking back to one row clears the rest", () => {
    const { ed, take } = narrow();
    ed.feed("abcdefghijk");
    take();
    ed.printAbove("note");
    // Up to the prompt's row, clear down, print, redraw the line below.
    assert.equal(take(), "\x1b[1A\r\x1b[Jnote\r\n\r> abcdefghijk\x1b[J\r\x1b[3C");
    ed.feed("\x15"); // ^U: the line is empty again
    assert.equal(take(), "\x1b[1A\r> \x1b[J\r\x1b[2C");
  });
});
