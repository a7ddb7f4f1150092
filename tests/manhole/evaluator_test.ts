// manhole/evaluator.ts: what an input can do to the namespace, one rule a
// test, as the module documentation lists them (Twisted's ManholeInterpreter
// runs code in the namespace dict; JavaScript has no such eval, so each rule
// is pinned here).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Evaluator, isIncomplete } from "../../manhole/evaluator.ts";

describe("Evaluator", () => {
  it("reads namespace names and assigns them in place (the app's object is the namespace)", async () => {
    const namespace: Record<string, unknown> = { count: 1 };
    const ev = new Evaluator(namespace);
    assert.deepEqual(await ev.evaluate("count"), { value: 1, expression: true });
    await ev.evaluate("count = count * 10");
    assert.equal(namespace.count, 10);
    await ev.evaluate("count++");
    assert.equal(namespace.count, 11);
  });

  it("an assignment to a new name makes a namespace entry, never a global", async () => {
    const ev = new Evaluator({});
    await ev.evaluate("fresh = 5");
    assert.equal(ev.namespace.fresh, 5);
    assert.equal("fresh" in globalThis, false);
    await ev.evaluate("if (true) { inBlock = 'yes' }");
    assert.equal(ev.namespace.inBlock, "yes");
  });

  it("top-level let, const, var, function and class persist to the next input", async () => {
    const ev = new Evaluator({});
    await ev.evaluate("let a = 1; const b = 2; var c = 3");
    await ev.evaluate("function add(x, y) { return x + y }");
    await ev.evaluate("class Point { constructor(x) { this.x = x } }");
    assert.equal((await ev.evaluate("add(a, b) + c + new Point(4).x")).value, 10);
  });

  it("a declaration may shadow a namespace name, and the new value is kept", async () => {
    const ev = new Evaluator({ level: "low" });
    await ev.evaluate("let level = 'high'");
    assert.equal(ev.namespace.level, "high");
  });

  it("await works at the top level, in expressions and in statements", async () => {
    const ev = new Evaluator({
      later: (v: number) => new Promise((ok) => queueMicrotask(() => ok(v))),
    });
    assert.equal((await ev.evaluate("await later(7)")).value, 7);
    await ev.evaluate("const got = await later(8); total = got + 1");
    assert.equal(ev.namespace.total, 9);
  });

  it("shows the last statement's value when it is an expression, else undefined", async () => {
    const ev = new Evaluator({});
    assert.deepEqual(await ev.evaluate("let n = 2; n * 3"), { value: 6, expression: true });
    assert.deepEqual(await ev.evaluate("let m = 2;"), { value: undefined, expression: false });
    assert.deepEqual(await ev.evaluate("for (let i = 0; i < 2; i++) {}"), {
      value: undefined,
      expression: false,
    });
  });

  it("keeps an expression's value as _", async () => {
    const ev = new Evaluator({});
    await ev.evaluate("[1, 2, 3]");
    assert.equal((await ev.evaluate("_.length")).value, 3);
  });

  it("an object literal is a value, as in Node's REPL", async () => {
    assert.deepEqual((await new Evaluator({}).evaluate("{ a: 1 }")).value, { a: 1 });
  });

  it("names inside strings, templates and comments are not namespace entries", async () => {
    const ev = new Evaluator({});
    await ev.evaluate("const s = 'ghost = 1' + `phantom = 2` // spirit = 3");
    assert.deepEqual(Object.keys(ev.namespace).sort(), ["s"]);
  });

  it("globals are read, not copied into the namespace", async () => {
    const ev = new Evaluator({});
    await ev.evaluate("Math.max(1, 2); JSON.stringify({})");
    assert.deepEqual(Object.keys(ev.namespace), ["_"]);
  });

  it("rejects with what the code threw, and with SyntaxError for code that does not compile", async () => {
    const ev = new Evaluator({});
    await assert.rejects(ev.evaluate("undefinedThing.x"), ReferenceError);
    await assert.rejects(ev.evaluate("throw new RangeError('no')"), RangeError);
    await assert.rejects(ev.evaluate("1 +* 2"), SyntaxError);
  });

  it("an import statement is a SyntaxError saying to use import(); import() works", async () => {
    const ev = new Evaluator({});
    await assert.rejects(
      ev.evaluate("import { join } from 'node:path'"),
      /await import\("specifier"\)/,
    );
    await assert.rejects(ev.evaluate("export const x = 1"), SyntaxError);
    await assert.rejects(ev.evaluate("import 'node:path'"), /await import/);
    await assert.rejects(ev.evaluate("import * as p from 'node:path'"), /await import/);
    await ev.evaluate("const path = await import('node:path')");
    assert.equal((await ev.evaluate("path.join('a', 'b')")).value, "a/b");
    assert.equal(
      (await ev.evaluate("importance = 1")).value,
      1,
      "a name starting with import is a name",
    );
  });

  it("is strict: `this` is undefined, and a destructuring assignment to undeclared names is a ReferenceError", async () => {
    const ev = new Evaluator({});
    assert.equal((await ev.evaluate("this")).value, undefined);
    await assert.rejects(ev.evaluate("[p, q] = [1, 2]"), ReferenceError);
    await ev.evaluate("let [p, q] = [1, 2]");
    assert.equal(ev.namespace.q, 2);
  });
});

describe("isIncomplete", () => {
  it("asks for more on an open bracket, template, block comment or trailing operator", () => {
    for (const code of ["f(", "{", "[1,", "`a", "/* note", "1 +", "a &&", "obj."]) {
      assert.equal(isIncomplete(code), true, code);
    }
  });
  it("not for complete code, nor for plain mistakes", () => {
    for (const code of ["f()", "x++", "a => a", "'}'", "// (", "1 +* 2", "'unterminated"]) {
      assert.equal(isIncomplete(code), false, code);
    }
  });
});
