/**
 * `deno task bench ui-size`: the web console's bundle sizes, raw and gzipped: the first load
 * (index.html with the entry script, its preloaded chunks and the stylesheet) and each chunk
 * loaded later (pages, the editor). Builds the console first when it is stale. Prints
 * Markdown rows for BENCHMARKS.md.
 */
import { CONSOLE_DIST_DIR } from "../../routes/console.ts";
import { ensureUiBuilt } from "../../scripts/ui_build.ts";

async function gzipSize(bytes: Uint8Array): Promise<number> {
  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream()
    .pipeThrough(new CompressionStream("gzip"));
  return (await new Response(stream).arrayBuffer()).byteLength;
}

const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;

await ensureUiBuilt();
const html = await Deno.readTextFile(`${CONSOLE_DIST_DIR}/index.html`);
const first = new Set(
  [...html.matchAll(/(?:src|href)="\/(assets\/[^"]+\.(?:js|css))"/g)].map((m) => m[1]),
);
const rows: { name: string; raw: number; gz: number; first: boolean }[] = [];
for await (const e of Deno.readDir(`${CONSOLE_DIST_DIR}/assets`)) {
  const bytes = await Deno.readFile(`${CONSOLE_DIST_DIR}/assets/${e.name}`);
  rows.push({
    name: `assets/${e.name}`,
    raw: bytes.length,
    gz: await gzipSize(bytes),
    first: first.has(`assets/${e.name}`),
  });
}
const htmlBytes = new TextEncoder().encode(html);
const initial = rows.filter((r) => r.first);
const total = {
  raw: htmlBytes.length + initial.reduce((s, r) => s + r.raw, 0),
  gz: await gzipSize(htmlBytes) + initial.reduce((s, r) => s + r.gz, 0),
};
// Chunk names carry a content hash: show the name without it.
const label = (name: string) => name.replace(/^assets\//, "").replace(/-[\w-]{8}\./, ".");
console.log("| what | raw | gzipped |");
console.log("| --- | --- | --- |");
console.log(
  `| **first load** (index.html + ${initial.length} files) | ${kb(total.raw)} | **${
    kb(total.gz)
  }** |`,
);
for (const r of initial.sort((a, b) => b.gz - a.gz)) {
  console.log(`| first load: ${label(r.name)} | ${kb(r.raw)} | ${kb(r.gz)} |`);
}
for (const r of rows.filter((r) => !r.first).sort((a, b) => b.gz - a.gz)) {
  console.log(`| lazy: ${label(r.name)} | ${kb(r.raw)} | ${kb(r.gz)} |`);
}
