// The package's layout agrees with itself: every deno.json export lies inside
// publish.include, and every source folder (a top-level folder with a mod.ts)
// is published and in tsconfig.json's include. Prints what disagrees.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";

const deno = JSON.parse(readFileSync("deno.json", "utf8"));
const tsconfig = JSON.parse(readFileSync("tsconfig.json", "utf8"));
const include = deno.publish.include;
const published = (path) => include.some((i) => (i.endsWith("/") ? path.startsWith(i) : path === i));
const problems = [];
for (const [sub, target] of Object.entries(deno.exports)) {
  const path = target.replace(/^\.\//, "");
  if (!published(path)) problems.push(`export "${sub}" (${target}) is not in publish.include`);
}
const folders = execFileSync("git", ["ls-files", "--", "*/mod.ts"], { encoding: "utf8" })
  .split("\n")
  .filter((f) => /^[^/]+\/mod\.ts$/.test(f))
  .map((f) => f.slice(0, f.indexOf("/")));
for (const folder of folders) {
  if (!include.includes(`${folder}/`)) problems.push(`source folder ${folder}/ is not in publish.include`);
  if (!tsconfig.include.includes(`${folder}/**/*.ts`)) {
    problems.push(`source folder ${folder}/ is not in tsconfig.json's include (${folder}/**/*.ts)`);
  }
  if (!(`./${folder}` in deno.exports)) problems.push(`source folder ${folder}/ has no "./${folder}" export`);
}
for (const p of problems) console.log(p);
console.log(`layout: ${folders.length} source folders, ${Object.keys(deno.exports).length} exports, ${problems.length} problem(s)`);
process.exitCode = problems.length > 0 ? 1 : 0;
