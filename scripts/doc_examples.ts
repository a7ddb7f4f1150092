/**
 * Runs the documentation examples on a runtime: every ```` ```ts ```` block in
 * the JSDoc of the published source files and in README.md, each as its own
 * module in its own process (`bun <file>` or `deno run -A <file>`), written to
 * `.tmp/doc_examples/<runtime>/` (or `--out`). `@skein/skein/...` resolves to the source: Deno reads
 * the package's own name and exports from deno.json; for Bun a generated
 * tsconfig.json maps each export to its file.
 *
 * An example passes when its process exits 0 by itself within the time limit
 * (an example must stop its reactor and close what it opened). A block whose
 * info string says `no-run <reason>` (README only: a server that serves until
 * stopped) is type-checked by `deno check --doc` but not run here; it is
 * counted and its reason printed. `ts ignore` blocks are neither checked nor
 * run, and `console.assert` cannot fail an example: both are counted, and
 * with `--strict` each one is a failure.
 *
 *     bun scripts/doc_examples.ts [--runtime=bun|deno] [--strict] [--jobs=N] [--out=DIR] [file ...]
 *
 * Without files: the published .ts files (deno.json `publish.include`, as git
 * tracks them) and README.md. Prints "N passed, N failed" and exits 1 on any
 * failure, naming the file and line of each failing example.
 */

import { spawn } from "node:child_process";
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import process from "node:process";

const ROOT = resolve(dirname(new URL(import.meta.url).pathname), "..");
const TIMEOUT_MS = 15_000;
/** Deno's doc-test languages; an untagged block in a .ts file is TypeScript, as Deno reads it. */
const LANGS = new Set(["ts", "typescript", "mts", "js", "javascript", "mjs", "tsx", "jsx"]);

interface Block {
  /** Repository-relative path of the documented file. */
  file: string;
  /** Deno's numbering (`file.ts#start-end`): the opening fence's line, the line after the closing one. */
  start: number;
  end: number;
  code: string;
  /** "run", "ignore" (```ts ignore) or "no-run" (```ts no-run <reason>). */
  mode: "run" | "ignore" | "no-run";
  reason: string;
}

function parseArgs(argv: string[]): {
  runtime: "bun" | "deno";
  strict: boolean;
  jobs: number;
  out: string;
  files: string[];
} {
  let runtime: "bun" | "deno" = "Deno" in globalThis ? "deno" : "bun";
  let strict = false;
  let jobs = Math.max(1, availableParallelism());
  let out = join(ROOT, ".tmp", "doc_examples");
  const files: string[] = [];
  for (const a of argv) {
    if (a.startsWith("--runtime=")) {
      const r = a.slice("--runtime=".length);
      if (r !== "bun" && r !== "deno") throw new Error(`--runtime must be bun or deno, not ${r}`);
      runtime = r;
    } else if (a === "--strict") strict = true;
    else if (a.startsWith("--jobs=")) jobs = Math.max(1, Number(a.slice(7)) || 1);
    else if (a.startsWith("--out=")) out = resolve(a.slice(6));
    else if (a.startsWith("--")) throw new Error(`unknown option ${a}`);
    else {
      const file = relative(ROOT, resolve(a));
      if (file.startsWith("..")) throw new Error(`${a} is outside the repository`);
      files.push(file);
    }
  }
  return { runtime, strict, jobs, out, files };
}

/** The published .ts files (publish.include, tracked by git) and README.md. */
function publishedFiles(): string[] {
  const config = JSON.parse(readFileSync(join(ROOT, "deno.json"), "utf8")) as {
    publish: { include: string[]; };
  };
  const tracked = execFileSync("git", ["ls-files", "--", ...config.publish.include], {
    cwd: ROOT,
    encoding: "utf8",
  }).split("\n");
  return [...tracked.filter((f) => f.endsWith(".ts")), "README.md"];
}

/** The code blocks of one file: from its JSDoc comments (.ts) or its body (.md). */
function blocksOf(file: string): Block[] {
  const lines = readFileSync(join(ROOT, file), "utf8").split("\n");
  const markdown = file.endsWith(".md");
  const blocks: Block[] = [];
  let inDoc = markdown;
  let open: { start: number; lang: string; attrs: string; body: string[]; } | null = null;
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i];
    if (!markdown) {
      if (!inDoc) {
        const at = line.indexOf("/**");
        if (at < 0 || line.slice(0, at).trim().startsWith("//")) continue;
        line = line.slice(at + 3);
        inDoc = true;
      }
      const closes = line.indexOf("*/");
      if (closes >= 0) {
        line = line.slice(0, closes);
        inDoc = false;
      }
      line = line.replace(/^\s*\* ?/, "");
    }
    const fence = /^\s*```\s*([^\s`]*)\s*(.*)$/.exec(line);
    if (open === null) {
      if (fence) {
        open = {
          start: i + 1,
          lang: fence[1] || (markdown ? "" : "ts"),
          attrs: fence[2],
          body: [],
        };
      }
    } else if (fence && fence[1] === "" && fence[2] === "") {
      if (LANGS.has(open.lang)) {
        const words = open.attrs.split(/\s+/);
        const mode = words.includes("ignore") ? "ignore" : words[0] === "no-run" ? "no-run" : "run";
        const reason = mode === "no-run" ? open.attrs.replace(/^no-run\s*/, "") : "";
        blocks.push({
          file,
          start: open.start,
          end: i + 2,
          code: open.body.join("\n"),
          mode,
          reason,
        });
      }
      open = null;
    } else open.body.push(line);
    if (!markdown && !inDoc && open !== null) open = null; // an unclosed fence ends with its comment
  }
  return blocks;
}

/** Relative imports in an example resolve from the documented file, as under `deno test --doc`. */
function rebase(code: string, file: string): string {
  const from = dirname(join(ROOT, file));
  return code.replace(
    /((?:from|import)\s*\(?\s*)(["'])(\.{1,2}\/[^"']+)\2/g,
    (_m, pre: string, q: string, spec: string) => `${pre}${q}${resolve(from, spec)}${q}`,
  );
}

/** A tsconfig.json beside the examples that maps each package export to its source file (Bun). */
function writeTsconfig(out: string): void {
  const config = JSON.parse(readFileSync(join(ROOT, "deno.json"), "utf8")) as {
    name: string;
    exports: Record<string, string>;
  };
  const paths: Record<string, string[]> = {};
  for (const [sub, target] of Object.entries(config.exports)) {
    paths[sub === "." ? config.name : `${config.name}/${sub.slice(2)}`] = [join(ROOT, target)];
  }
  writeFileSync(
    join(out, "tsconfig.json"),
    JSON.stringify({ compilerOptions: { paths } }, null, 2),
  );
}

interface Outcome {
  block: Block;
  ok: boolean;
  detail: string;
  /** Milliseconds from spawn to exit. */
  ms: number;
}

function runOne(block: Block, path: string, runtime: "bun" | "deno"): Promise<Outcome> {
  const args = runtime === "bun" ? [path] : ["run", "-A", "--no-lock", path];
  // This runtime's own executable when it is the one asked for; otherwise the one on PATH.
  const here = "Deno" in globalThis ? "deno" : "bun";
  const exe = runtime === here ? process.execPath : runtime;
  const t0 = performance.now();
  return new Promise((resolve) => {
    const done = (o: Omit<Outcome, "ms">): void => resolve({ ...o, ms: performance.now() - t0 });
    const child = spawn(exe, args, {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, NO_COLOR: "1" },
    });
    let output = "";
    child.stdout.on("data", (b: Uint8Array) => (output += new TextDecoder().decode(b)));
    child.stderr.on("data", (b: Uint8Array) => (output += new TextDecoder().decode(b)));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      output += `\n(did not exit within ${TIMEOUT_MS / 1000} s: an example must stop its reactor`
        + " and close its ports, timers and fds)";
    }, TIMEOUT_MS);
    child.on("error", (e) => {
      clearTimeout(timer);
      done({ block, ok: false, detail: String(e) });
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      const ok = code === 0 && signal === null;
      done({
        block,
        ok,
        detail: ok ? "" : `${output.trim()}\n(exit ${code ?? signal})${hint(block, output)}`,
      });
    });
  });
}

/**
 * `deno test --doc` imports the documented file's exports into each example
 * implicitly; a user's copy of the example has no such import. Say so when an
 * example fails for want of one.
 */
function hint(block: Block, output: string): string {
  const name = /ReferenceError: (?:Can't find variable: )?([\w$]+)(?: is not defined)?/.exec(output)
    ?.[1];
  if (name === undefined || block.file.endsWith(".md")) return "";
  const source = readFileSync(join(ROOT, block.file), "utf8");
  const exported = new RegExp(
    `export\\s+(?:declare\\s+)?(?:abstract\\s+)?(?:async\\s+)?(?:class|function\\*?|const|let|enum)\\s+${name}\\b`,
  ).test(source);
  return exported
    ? `\n(${name} is exported by ${block.file}: \`deno test --doc\` imports it implicitly, a user`
      + ` must import it, e.g. from "@skein/skein/...")`
    : "";
}

/** "file n, file n, …" for a list of blocks. */
function perFile(blocks: Block[]): string {
  const counts = new Map<string, number>();
  for (const b of blocks) counts.set(b.file, (counts.get(b.file) ?? 0) + 1);
  return [...counts].map(([f, n]) => `${f} ${n}`).join(", ");
}

async function main(): Promise<number> {
  const opts = parseArgs(process.argv.slice(2));
  const files = opts.files.length > 0 ? opts.files : publishedFiles();
  const blocks = files.flatMap(blocksOf);
  rmSync(join(opts.out, opts.runtime), { recursive: true, force: true });
  mkdirSync(join(opts.out, opts.runtime), { recursive: true });
  writeTsconfig(opts.out);

  const toRun = blocks.filter((b) => b.mode === "run");
  const jobs: { block: Block; path: string; }[] = toRun.map((block) => {
    const name = `${block.file.replace(/\.(ts|md)$/, "")}#${block.start}-${block.end}.ts`;
    const path = join(opts.out, opts.runtime, name);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, rebase(block.code, block.file) + "\n");
    return { block, path };
  });

  const outcomes: Outcome[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < jobs.length) {
      const { block, path } = jobs[next++];
      outcomes.push(await runOne(block, path, opts.runtime));
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: Math.min(opts.jobs, jobs.length) }, worker));
  const seconds = ((performance.now() - t0) / 1000).toFixed(1);

  const where = (b: Block): string => `${b.file}:${b.start}`;
  const slowest = [...outcomes].sort((a, b) => b.ms - a.ms).slice(0, 5);
  if (slowest.length > 0) {
    console.log(
      `slowest: ${slowest.map((o) => `${where(o.block)} ${Math.round(o.ms)} ms`).join(", ")}`,
    );
  }
  const failed = outcomes.filter((o) => !o.ok).sort((a, b) =>
    a.block.file.localeCompare(b.block.file) || a.block.start - b.block.start
  );
  for (const o of failed) {
    console.log(`FAILED ${where(o.block)} (${o.block.file}#${o.block.start}-${o.block.end})`);
    console.log(o.detail.split("\n").slice(-15).map((l) => `    ${l}`).join("\n"));
  }
  const noRun = blocks.filter((b) => b.mode === "no-run");
  for (const b of noRun) {
    if (b.reason === "") {
      console.log(
        `FAILED ${where(b)}: a no-run block must say why it cannot run (\`\`\`ts no-run <reason>)`,
      );
    } else console.log(`not run: ${where(b)} (${b.reason})`);
  }
  const ignored = blocks.filter((b) => b.mode === "ignore");
  if (ignored.length > 0) {
    console.log(
      `${ignored.length} \`ts ignore\` blocks remain (neither checked nor run): ${
        perFile(ignored)
      }`,
    );
  }
  const weak = toRun.filter((b) => /\bconsole\.assert\(/.test(b.code));
  if (weak.length > 0) {
    console.log(
      `${weak.length} examples assert with console.assert, which cannot fail: ${perFile(weak)}`,
    );
  }
  const unreasoned = noRun.filter((b) => b.reason === "").length;
  const ignoreFailures = opts.strict ? ignored.length + weak.length : 0;
  const nFailed = failed.length + unreasoned + ignoreFailures;
  console.log(
    `doc examples on ${opts.runtime}: ${outcomes.length - failed.length} passed, ${nFailed} failed`
      + ` (${noRun.length} not run, ${ignored.length} ignore, ${weak.length} console.assert`
      + `${opts.strict ? ", strict" : ""}; ${files.length} files, ${seconds} s)`,
  );
  return nFailed > 0 ? 1 : 0;
}

process.exitCode = await main();
