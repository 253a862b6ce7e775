// Minifies skylt.js into dist/skylt.min.js. Deterministic: the same terser version (pinned in package-lock.json)
// and options give the same bytes, which a test checks against the committed file.
// Usage: node build.mjs [--out PATH]
import { readFile, writeFile, mkdir } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { minify } from "terser";

const LIMIT = 10000; // Shopify Theme Check refuses app block assets over 10 KB
const here = dirname(fileURLToPath(import.meta.url));
const at = process.argv.indexOf("--out");
const out = at > 0 ? process.argv[at + 1] : join(here, "dist", "skylt.min.js");

const source = await readFile(join(here, "skylt.js"), "utf8");
const result = await minify(source, {
  ecma: 2020,
  compress: { passes: 2 },
  mangle: true,
  format: { comments: /^!/ },
});
const code = result.code + "\n";
const size = Buffer.byteLength(code);
if (size > LIMIT) {
  console.error(`dist/skylt.min.js is ${size} bytes, over the ${LIMIT}-byte limit`);
  process.exit(1);
}
await mkdir(dirname(out), { recursive: true });
await writeFile(out, code);
console.log(`${out}: ${size} bytes`);
