/**
 * The web console (ui/, built into ui/dist by `deno task ui:build`): its hashed assets,
 * cached for a year, and index.html, never cached, for every other GET of a page that asks
 * for HTML (the single-page app's fallback). The API families and the server's own routes
 * are never shadowed: their unknown paths keep the JSON 404. Without a build, pages answer
 * how to make one.
 */
import { Hono } from "hono";
import type { Context } from "hono";
import type { AppEnv } from "./_env.ts";
import { OBJECTS_PATH_PREFIX } from "./objects.ts";

/** Where the built console is (inside a compiled binary too: `--include ui/dist`). */
export const CONSOLE_DIST_DIR: string = new URL("../ui/dist", import.meta.url).pathname;

/** Paths the console never answers, even with a page (exact, or as a prefix with "/"). */
export const SERVER_PATHS = [
  "/api",
  "/v1",
  "/openapi.json",
  "/docs",
  OBJECTS_PATH_PREFIX,
  "/ping",
  "/healthz",
];

/** Whether `path` belongs to the server rather than the console. */
export function isServerPath(path: string): boolean {
  return SERVER_PATHS.some((p) => path === p || path.startsWith(`${p}/`));
}

const TYPES: Record<string, string> = {
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".html": "text/html; charset=utf-8",
  ".json": "application/json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".woff2": "font/woff2",
  ".txt": "text/plain; charset=utf-8",
  ".map": "application/json",
};

const NOT_BUILT = `<!doctype html><meta charset="utf-8"><title>Coze Loop</title>
<h1>The web console is not built</h1>
<p>Build it with <code>deno task ui:build</code> (or run <code>deno task dev</code>, which builds
it and rebuilds it when a file in <code>ui/</code> changes), then reload this page. The API is
served as usual: <a href="/docs">/docs</a>.</p>`;

/** The console's routes; `dir` is the built console (default CONSOLE_DIST_DIR). */
export function consoleRoutes(options: { dir?: string } = {}): Hono<AppEnv> {
  const dir = options.dir ?? CONSOLE_DIST_DIR;
  // Gzipped assets by name: a hashed name always holds the same content.
  const gzipped = new Map<string, Uint8Array>();
  const app = new Hono<AppEnv>();
  app.get("*", async (c) => {
    const path = c.req.path;
    if (isServerPath(path)) return c.notFound();
    const ext = /\.[a-z0-9]+$/i.exec(path)?.[0].toLowerCase();
    if (ext) {
      // A file: served when the build has it (never index.html in its place).
      const file = safeFile(path) ? await readOrNull(`${dir}${path}`) : null;
      if (!file) return c.notFound();
      const type = TYPES[ext] ?? "application/octet-stream";
      if (!path.startsWith("/assets/")) return answer(c, file, type, false);
      if (COMPRESSIBLE.has(ext) && acceptsGzip(c.req.header("accept-encoding"))) {
        let gz = gzipped.get(path);
        if (!gz) gzipped.set(path, gz = await gzip(file));
        c.header("Content-Encoding", "gzip");
        c.header("Vary", "Accept-Encoding");
        return answer(c, gz, type, true);
      }
      return answer(c, file, type, true);
    }
    if (!acceptsHtml(c.req.header("accept"))) return c.notFound();
    const index = await readOrNull(`${dir}/index.html`);
    if (!index) return c.html(NOT_BUILT, 503, { "Cache-Control": "no-store" });
    return answer(c, index, TYPES[".html"], false);
  });
  return app;
}

const COMPRESSIBLE = new Set([".js", ".css", ".json", ".svg", ".map", ".txt"]);

function answer(c: Context, body: Uint8Array, type: string, immutable: boolean): Response {
  return c.body(body as Uint8Array<ArrayBuffer>, 200, {
    "Content-Type": type,
    // Hashed names change with their content; index.html names the current ones.
    "Cache-Control": immutable ? "public, max-age=31536000, immutable" : "no-cache",
    "X-Content-Type-Options": "nosniff",
  });
}

// gzip listed and not refused with q=0.
function acceptsGzip(header: string | undefined): boolean {
  return !!header &&
    /(^|,)\s*gzip\s*(;\s*q=(?!0(\.0*)?\s*($|,))[\d.]+)?\s*($|,)/i.test(header);
}

async function gzip(bytes: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream()
    .pipeThrough(new CompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

// Only plain relative names: no `..`, no hidden files, no encoded separators.
function safeFile(path: string): boolean {
  return /^(\/[A-Za-z0-9_][A-Za-z0-9._-]*)+$/.test(path) && !path.includes("..");
}

function acceptsHtml(accept: string | undefined): boolean {
  return !!accept && /(^|,)\s*text\/html/i.test(accept);
}

async function readOrNull(file: string): Promise<Uint8Array | null> {
  try {
    return await Deno.readFile(file);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound || err instanceof Deno.errors.IsADirectory) {
      return null;
    }
    throw err;
  }
}
