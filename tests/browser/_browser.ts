/**
 * Browser test helpers: headless Chromium (Debian's `chromium`, installed by
 * scripts/browser_setup.sh) driven by puppeteer-core, with every console error and page
 * error of every page collected, and screenshots kept under test-artifacts/ (git-ignored).
 */
import puppeteer, { type Browser, type Page } from "puppeteer-core";

const ROOT = new URL("../..", import.meta.url).pathname;
/** Where screenshots go. */
export const ARTIFACTS = `${ROOT}test-artifacts/browser`;

/** The Chromium binary, or undefined when none is installed. */
export function chromiumPath(): string | undefined {
  for (
    const p of [
      "/usr/bin/chromium",
      "/usr/bin/chromium-browser",
      "/usr/bin/google-chrome",
    ]
  ) {
    try {
      if (Deno.statSync(p).isFile) return p;
    } catch { /* next */ }
  }
  return Deno.env.get("CHROMIUM_PATH");
}

/**
 * The browser's own log line for an answer with an error status. Only 401 is expected: the
 * console asks for the session and is told there is none (then shows the login page).
 */
const EXPECTED = /^Failed to load resource: the server responded with a status of 401\b/;

/** A browser and the errors its pages reported. */
export interface TestBrowser {
  browser: Browser;
  /** Console errors and uncaught page errors, with the URL they happened on. */
  errors: string[];
  /** A new page (1280x800) whose errors are collected. */
  newPage(): Promise<Page>;
  close(): Promise<void>;
}

/** Starts headless Chromium. */
export async function launchBrowser(): Promise<TestBrowser> {
  const executablePath = chromiumPath();
  if (!executablePath) {
    throw new Error("no Chromium: run scripts/browser_setup.sh");
  }
  const browser = await puppeteer.launch({
    executablePath,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-dev-shm-usage",
      "--disable-gpu",
      "--no-first-run",
    ],
  });
  const errors: string[] = [];
  return {
    browser,
    errors,
    async newPage() {
      const page = await browser.newPage();
      await page.setViewport({ width: 1280, height: 800 });
      // Typing waits for its field, as a person would: a dialog or page that is still
      // rendering is not a failure (puppeteer's own type() does not wait).
      const type = page.type.bind(page);
      page.type = async (selector, text, options) => {
        await page.waitForSelector(selector, { visible: true });
        return await type(selector, text, options);
      };
      page.on("console", (m) => {
        if (m.type() === "error" && !EXPECTED.test(m.text())) {
          errors.push(`console error on ${page.url()}: ${m.text()}`);
        }
      });
      page.on(
        "pageerror",
        (e) => errors.push(`page error on ${page.url()}: ${String(e)}`),
      );
      return page;
    },
    close: () => browser.close(),
  };
}

/** Saves a screenshot as test-artifacts/browser/<name>.png; returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  const path = `${ARTIFACTS}/${name}.png` as `${string}.png`;
  await Deno.mkdir(path.slice(0, path.lastIndexOf("/")), { recursive: true });
  await page.screenshot({ path });
  return path;
}

/** Waits until the page's path (and query) matches. */
export async function waitForPath(
  page: Page,
  pattern: RegExp,
  timeout = 10_000,
): Promise<void> {
  await page.waitForFunction(
    (source: string) => new RegExp(source).test(location.pathname + location.search),
    { timeout },
    pattern.source,
  );
}

/** The page's path and query. */
export function pathOf(page: Page): string {
  const u = new URL(page.url());
  return u.pathname + u.search;
}

/** Clicks the first element of `selector` whose text includes `text`. */
export async function clickText(
  page: Page,
  selector: string,
  text: string,
): Promise<void> {
  const el = await page.waitForSelector(`${selector} ::-p-text(${text})`, {
    timeout: 10_000,
  });
  await el!.click();
}
