// Reads a Deno or Bun test log and prints "<passed> <failed>" (test cases, steps included).
import { readFileSync } from "node:fs";
const [kind, file] = process.argv.slice(2);
// deno-lint-ignore no-control-regex -- strips ANSI colour codes
const text = readFileSync(file, "utf8").replace(/\x1b\[[0-9;]*m/g, "");
let passed = 0, failed = 0;
if (kind === "deno") {
  const m = text.match(/(ok|FAILED) \| (\d+) passed(?: \((\d+) steps?\))? \| (\d+) failed(?: \((\d+) steps?\))?/);
  if (m) {
    passed = Number(m[2]) + Number(m[3] ?? 0);
    failed = Number(m[4]) + Number(m[5] ?? 0);
  } else failed = 1;
} else {
  const p = text.match(/^\s*(\d+) pass$/m), f = text.match(/^\s*(\d+) fail$/m);
  passed = p ? Number(p[1]) : 0;
  failed = f ? Number(f[1]) : 1;
}
console.log(`${passed} ${failed}`);
