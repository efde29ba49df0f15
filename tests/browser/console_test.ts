/**
 * The web console in headless Chromium against a real server (both test modes): register,
 * log in and out, create a personal access token and see its secret once, revoke it, an
 * OAuth app with the lazily loaded editor, the theme switch (kept across reloads), the
 * command palette and the shortcuts list; every page in light and dark with screenshots
 * under test-artifacts/browser/, and no console error or page error anywhere.
 */
import assert from "node:assert/strict";
import type { Page } from "puppeteer-core";
import { startServer } from "../_server.ts";
import { ensureUiBuilt } from "../../scripts/ui_build.ts";
import {
  chromiumPath,
  clickText,
  launchBrowser,
  pathOf,
  screenshot,
  waitForPath,
} from "./_browser.ts";

const HAS_CHROMIUM = chromiumPath() !== undefined;

Deno.test({
  name: "console: a user's whole visit in the browser" +
    (HAS_CHROMIUM ? "" : " (no Chromium: run scripts/browser_setup.sh)"),
  ignore: !HAS_CHROMIUM,
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async (t) => {
    await ensureUiBuilt();
    const server = await startServer();
    const b = await launchBrowser();
    const mode = server.mode;
    const shot = (page: Page, name: string) => screenshot(page, `${mode}/${name}`);
    const email = `ui${crypto.randomUUID().slice(0, 10)}@example.com`;
    const password = "console-password-1";
    try {
      const page = await b.newPage();
      const url = (p: string) => `${server.url}${p}`;
      // Pages are lazy chunks: wait for the page's title rather than reading it at once.
      const expectHeading = (title: string) =>
        page.waitForFunction(
          `document.querySelector("h1")?.textContent === ${JSON.stringify(title)}`,
          { timeout: 10_000 },
        );

      // Steps run in order: after a failure the rest are skipped rather than timing out.
      let failed = false;
      const step = (name: string, fn: () => Promise<void>) =>
        t.step(name, async () => {
          if (failed) throw new Error("skipped: an earlier step failed");
          try {
            await fn();
          } catch (err) {
            failed = true;
            await shot(page, "failure").catch(() => {});
            throw err;
          }
        });

      await step(
        "the server keeps its own paths: JSON answers for the API, even for HTML",
        async () => {
          for (const path of ["/api/nope", "/v1/loop/nope", "/openapi.json"]) {
            const res = await fetch(url(path), {
              headers: { accept: "text/html" },
            });
            assert.match(
              res.headers.get("content-type") ?? "",
              /application\/json/,
              path,
            );
            await res.body?.cancel();
          }
          const page = await fetch(url("/console"), {
            headers: { accept: "text/html" },
          });
          assert.equal(page.status, 200);
          assert.match(await page.text(), /<div id="root">/);
        },
      );

      await step(
        "a visitor without a session lands on the login page",
        async () => {
          await page.goto(url("/console/enterprise/personal/account"));
          await waitForPath(page, /^\/auth\/login\?next=/);
          await page.waitForSelector("form[aria-label='Log in']");
          await shot(page, "login-light");
        },
      );

      await step(
        "register, then the console opens in the personal workspace",
        async () => {
          await clickText(page, "a", "Create an account");
          await waitForPath(page, /^\/auth\/register/);
          await page.type("input[name=email]", email);
          await page.type("input[name=password]", password);
          await shot(page, "register-light");
          await clickText(page, "button", "Create account");
          // `next` was the account page.
          await waitForPath(page, /^\/console\/enterprise\/personal\/account$/);
          await page.waitForSelector("form[aria-label='Profile']");
          await page.goto(url("/console"));
          await waitForPath(
            page,
            /^\/console\/enterprise\/personal\/space\/\d+\/pe\/prompts$/,
          );
          await expectHeading("Prompts");
          const badges = await page.$$eval(
            ".nav-link[href*='/pe/'] .badge",
            (els) => els.length,
          );
          assert.equal(badges, 0, "prompts and playground are pages, not marked as coming");
          const traces = await page.$$eval(
            ".nav-link[href$='/observation/traces'] .badge",
            (els) => els.length,
          );
          assert.equal(traces, 0, "traces is a page, not marked as coming");
        },
      );

      let secret = "";
      await step("create a token: its secret is shown once", async () => {
        await clickText(page, ".nav-link", "Access tokens");
        await waitForPath(page, /\/open\/oauth\/pats$/);
        await page.waitForSelector("::-p-text(No token yet)");
        await clickText(page, "button", "New token");
        await waitForPath(page, /\/open\/oauth\/pats\?new=1$/);
        await page.type("dialog[open] input", "ci token");
        await page.select("dialog[open] select", "90");
        await clickText(page, "dialog[open] button", "Create token");
        const el = await page.waitForSelector("[data-testid=token-value]");
        secret = await el!.evaluate((e) => e.textContent ?? "");
        assert.match(secret, /^pat_/);
        assert.equal(
          pathOf(page).endsWith("/open/oauth/pats"),
          true,
          "the dialog state left the URL",
        );
        await page.waitForSelector(
          "table[aria-label=Tokens] ::-p-text(ci token)",
        );
        assert.match(
          await page.$eval("table[aria-label=Tokens]", (e) => e.textContent),
          /in 90 days/,
        );
        await shot(page, "tokens-created-light");
        const ok = await fetch(url("/v1/loop/traces/ingest"), {
          method: "POST",
          headers: {
            authorization: `Bearer ${secret}`,
            "content-type": "application/json",
          },
          body: JSON.stringify({ spans: [] }),
        });
        assert.equal((await ok.json()).code, 0, "the new token works for SDKs");
        await page.reload();
        await page.waitForSelector(
          "table[aria-label=Tokens] ::-p-text(ci token)",
        );
        assert.equal(
          await page.$("[data-testid=token-value]"),
          null,
          "shown only once",
        );
      });

      await step("revoke the token: it stops working", async () => {
        await clickText(page, "table[aria-label=Tokens] button", "Revoke");
        await clickText(page, "dialog[open] button", "Revoke");
        await page.waitForSelector("::-p-text(No token yet)");
        const res = await fetch(url("/v1/loop/traces/ingest"), {
          method: "POST",
          headers: {
            authorization: `Bearer ${secret}`,
            "content-type": "application/json",
          },
          body: JSON.stringify({ spans: [] }),
        });
        const body = await res.json();
        assert.ok(
          res.status === 401 || body.code !== 0,
          "a revoked token is refused",
        );
      });

      await step(
        "an OAuth app, opened by its URL, with the lazily loaded editor",
        async () => {
          await page.goto(
            url("/console/enterprise/personal/open/oauth/apps?new=1"),
          );
          await page.waitForSelector("dialog[open] input");
          await page.type("dialog[open] input", "ci app");
          await clickText(page, "dialog[open] button", "Create app");
          await waitForPath(page, /\/open\/oauth\/apps\?app=\d+$/);
          await page.waitForSelector(
            "section[aria-label='OAuth app ci app'] .cm-editor",
          );
          await shot(page, "oauth-app-light");
        },
      );

      await step("the theme switch applies at once and is kept", async () => {
        const theme = () => page.evaluate("document.documentElement.dataset.theme");
        assert.equal(await theme(), "light");
        await page.click("[data-testid=theme-toggle]");
        assert.equal(await theme(), "dark");
        await page.reload();
        await page.waitForSelector(
          "section[aria-label='OAuth app ci app'] .cm-editor",
        );
        assert.equal(await theme(), "dark");
        await shot(page, "oauth-app-dark");
        await page.keyboard.down("Shift");
        await page.keyboard.press("T");
        await page.keyboard.up("Shift");
        assert.equal(await theme(), "light", "Shift+T switches back");
      });

      await step("the command palette jumps to pages and traces", async () => {
        await page.keyboard.down("Control");
        await page.keyboard.press("k");
        await page.keyboard.up("Control");
        await page.waitForSelector("dialog.palette[open] input");
        await page.keyboard.type("tokens");
        await page.waitForFunction(
          `document.querySelector("dialog.palette[open] input")?.value === "tokens"`,
        );
        await shot(page, "palette-light");
        await page.keyboard.press("Enter");
        await waitForPath(page, /\/open\/oauth\/pats$/);
        await page.click("button[aria-keyshortcuts]");
        await page.waitForSelector("dialog.palette[open] input");
        const traceId = "0123456789abcdef0123456789abcdef";
        await page.keyboard.type(traceId);
        await page.waitForSelector(`::-p-text(Open trace ${traceId})`);
        await page.keyboard.press("Enter");
        await waitForPath(
          page,
          new RegExp(`/observation/traces\\?trace_id=${traceId}$`),
        );
        await expectHeading("Traces");
      });

      await step(
        "`?` lists the shortcuts; `g a` goes to the account page",
        async () => {
          await page.keyboard.type("?");
          await page.waitForSelector(
            "dialog[open][aria-label='Keyboard shortcuts']",
          );
          await shot(page, "shortcuts-light");
          await page.keyboard.press("Escape");
          await page.waitForFunction("!document.querySelector('dialog[open]')");
          await page.keyboard.type("ga");
          await waitForPath(page, /\/account$/);
        },
      );

      await step("the profile is saved", async () => {
        const name = await page.waitForSelector(
          "form[aria-label=Profile] input:not([disabled])",
        );
        await name!.click({ count: 3 });
        await name!.type("Console Tester");
        await clickText(page, "button", "Save profile");
        await page.waitForSelector("::-p-text(Profile saved.)");
        await page.waitForSelector("header ::-p-text(Console Tester)");
      });

      await step("every page, in light and dark", async () => {
        const spaceId = await page.evaluate(() => localStorage.getItem("coze-loop-space"));
        assert.match(spaceId ?? "", /^\d+$/);
        const base = `/console/enterprise/personal`;
        const pages: [string, string, string][] = [
          ["prompts", `${base}/space/${spaceId}/pe/prompts`, "Prompts"],
          ["prompt", `${base}/space/${spaceId}/pe/prompts/123`, "Prompt"],
          [
            "playground",
            `${base}/space/${spaceId}/pe/playground`,
            "Playground",
          ],
          ["traces", `${base}/space/${spaceId}/observation/traces`, "Traces"],
          ["account", `${base}/account`, "Profile"],
          ["tokens", `${base}/open/oauth/pats`, "Personal access tokens"],
          ["oauth-apps", `${base}/open/oauth/apps`, "OAuth apps"],
          ["not-found", `/no/such/page`, "Page not found"],
        ];
        for (const theme of ["light", "dark"]) {
          await page.evaluate(
            (t) => localStorage.setItem("coze-loop-theme", t),
            theme,
          );
          for (const [name, path, title] of pages) {
            await page.goto(url(path));
            await expectHeading(title);
            assert.equal(
              await page.evaluate("document.documentElement.dataset.theme"),
              theme,
            );
            await shot(page, `${name}-${theme}`);
          }
        }
        await page.evaluate(() => localStorage.removeItem("coze-loop-theme"));
      });

      await step("log out, then log in again", async () => {
        await clickText(page, "a", "Log out");
        await waitForPath(page, /^\/auth\/login$/);
        const session = await page.evaluate(() =>
          fetch("/api/foundation/v1/users/session").then((r) => r.status)
        );
        assert.equal(session, 401, "the session ended on the server");
        await page.goto(url("/console/enterprise/personal/open/oauth/pats"));
        await waitForPath(page, /^\/auth\/login\?next=/);
        await page.waitForSelector("input[name=email]");
        await page.type("input[name=email]", email);
        await page.type("input[name=password]", password);
        await clickText(page, "button", "Log in");
        await waitForPath(page, /\/open\/oauth\/pats$/);
      });

      assert.deepEqual(b.errors, [], "no console error and no page error");
    } finally {
      await b.close();
      await server.stop();
    }
  },
});
