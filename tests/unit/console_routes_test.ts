/**
 * The web console's routes (routes/console.ts): hashed assets cached for a year, index.html
 * (never cached) for pages that ask for HTML, JSON 404s kept for the server's own paths and
 * for missing files, no way out of the build directory, and a clear page when there is no
 * build.
 */
import assert from "node:assert/strict";
import { Hono } from "hono";
import { consoleRoutes, isServerPath } from "../../routes/console.ts";

const HTML = { accept: "text/html,application/xhtml+xml,*/*;q=0.8" };

async function appWith(files: Record<string, string> | null) {
  const dir = await Deno.makeTempDir({ prefix: "console-dist-" });
  if (files) {
    for (const [name, text] of Object.entries(files)) {
      await Deno.mkdir(`${dir}/${name.split("/").slice(0, -1).join("/")}`, {
        recursive: true,
      });
      await Deno.writeTextFile(`${dir}/${name}`, text);
    }
  }
  const app = new Hono();
  app.get("/api/known", (c) => c.json({ code: 0 }));
  app.route("/", consoleRoutes({ dir }));
  app.notFound((c) => c.json({ code: 602000201, msg: "No route" }, 404));
  return { app, dir };
}

Deno.test("console: assets, the SPA fallback, and the server's paths left alone", async () => {
  const { app, dir } = await appWith({
    "index.html": "<!doctype html><div id=root></div>",
    "assets/index-abc123.js": "console.log(1)",
    "assets/index-abc123.css": "body{}",
    "robots.txt": "User-agent: *",
  });
  try {
    const js = await app.request("/assets/index-abc123.js");
    assert.equal(js.status, 200);
    assert.equal(
      js.headers.get("content-type"),
      "text/javascript; charset=utf-8",
    );
    assert.equal(
      js.headers.get("cache-control"),
      "public, max-age=31536000, immutable",
    );
    assert.equal(await js.text(), "console.log(1)");
    // Compressed for clients that take gzip (and kept compressed: the name is the content).
    for (let i = 0; i < 2; i++) {
      const gz = await app.request("/assets/index-abc123.js", {
        headers: { "accept-encoding": "gzip, deflate, br" },
      });
      assert.equal(gz.headers.get("content-encoding"), "gzip");
      assert.equal(gz.headers.get("vary"), "Accept-Encoding");
      const plain = gz.body!.pipeThrough(new DecompressionStream("gzip"));
      assert.equal(await new Response(plain).text(), "console.log(1)");
    }
    const refused = await app.request("/assets/index-abc123.js", {
      headers: { "accept-encoding": "gzip;q=0" },
    });
    assert.equal(refused.headers.get("content-encoding"), null);
    await refused.body?.cancel();
    const css = await app.request("/assets/index-abc123.css");
    assert.equal(css.headers.get("content-type"), "text/css; charset=utf-8");
    const robots = await app.request("/robots.txt");
    assert.equal(robots.headers.get("cache-control"), "no-cache");

    for (
      const page of [
        "/",
        "/auth/login",
        "/console/enterprise/personal/space/1/pe/prompts",
      ]
    ) {
      const res = await app.request(page, { headers: HTML });
      assert.equal(res.status, 200, page);
      assert.equal(res.headers.get("cache-control"), "no-cache");
      assert.match(await res.text(), /id=root/);
    }
    // Not a page request (no text/html): the JSON 404, not the app.
    const json = await app.request("/console", {
      headers: { accept: "application/json" },
    });
    assert.equal(json.status, 404);
    // A missing file is a 404, never index.html in its place (a stale chunk must fail).
    const missing = await app.request("/assets/gone-123.js", { headers: HTML });
    assert.equal(missing.status, 404);
    assert.equal((await missing.json()).code, 602000201);

    for (
      const path of [
        "/api/nope",
        "/v1/loop/nope",
        "/docs/x",
        "/openapi.json",
        "/healthz",
      ]
    ) {
      const res = await app.request(path, { headers: HTML });
      assert.equal(res.status, 404, path);
      assert.equal((await res.json()).code, 602000201, path);
    }
    assert.equal(
      (await app.request("/api/known", { headers: HTML })).status,
      200,
    );
    for (
      const path of [
        "/assets/../../etc/passwd.txt",
        "/assets/%2e%2e/x.js",
        "/.env.js",
      ]
    ) {
      assert.equal((await app.request(path)).status, 404, path);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("console: without a build, pages say how to build it", async () => {
  const { app, dir } = await appWith(null);
  try {
    const res = await app.request("/", { headers: HTML });
    assert.equal(res.status, 503);
    assert.match(await res.text(), /deno task ui:build/);
    assert.equal((await app.request("/assets/a.js")).status, 404);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("console: the server's paths", () => {
  for (
    const p of [
      "/api",
      "/api/x",
      "/v1/loop/x",
      "/openapi.json",
      "/docs",
      "/ping",
      "/healthz",
    ]
  ) {
    assert.ok(isServerPath(p), p);
  }
  for (
    const p of [
      "/",
      "/apis",
      "/console",
      "/auth/login",
      "/docs-site",
      "/pingpong",
    ]
  ) {
    assert.ok(!isServerPath(p), p);
  }
});
