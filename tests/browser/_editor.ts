/**
 * Browser test helpers for forms and editors: replace a CodeMirror editor's text (a paste,
 * as a user would: typing would meet its bracket closing), replace an input's value, wait for
 * a text, and read the caller's saved draft of a prompt from the server. Code run in the page
 * is given as strings: the tests' type check has no DOM library.
 */
import type { Page } from "puppeteer-core";

/** Replaces the text of the CodeMirror editor whose editing area is labelled `label`. */
export async function setEditor(page: Page, label: string, text: string): Promise<void> {
  const selector = `.cm-content[aria-label="${label}"]`;
  await page.waitForSelector(selector);
  await page.click(selector);
  await page.keyboard.down("Control");
  await page.keyboard.press("a");
  await page.keyboard.up("Control");
  const sel = JSON.stringify(selector);
  const txt = JSON.stringify(text);
  await page.evaluate(`{
    const data = new DataTransfer();
    data.setData("text/plain", ${txt});
    document.querySelector(${sel}).dispatchEvent(
      new ClipboardEvent("paste", { clipboardData: data, bubbles: true, cancelable: true }),
    );
  }`);
  await page.waitForFunction(
    `document.querySelector(${sel})?.innerText.replace(/\\n$/, "") === ${txt}`,
    { timeout: 5_000 },
  );
}

/** Replaces the value of the input `selector` by typing `text`. */
export async function typeInto(page: Page, selector: string, text: string): Promise<void> {
  const el = await page.waitForSelector(selector);
  await el!.click({ count: 3 });
  await page.keyboard.press("Backspace");
  await el!.type(text);
}

/** Waits until an element of `selector` contains `text`. */
export async function waitText(
  page: Page,
  selector: string,
  text: string,
  timeout = 10_000,
): Promise<void> {
  await page.waitForFunction(
    `[...document.querySelectorAll(${JSON.stringify(selector)})]
      .some((e) => (e.textContent ?? "").includes(${JSON.stringify(text)}))`,
    { timeout },
  );
}

/**
 * The caller's draft of a prompt as the server holds it, once `ready` accepts it (autosave
 * happens a moment after the last change).
 */
export async function draftOf(
  page: Page,
  spaceId: string,
  promptId: string,
  // deno-lint-ignore no-explicit-any
  ready: (detail: any) => boolean,
  timeoutMs = 10_000,
  // deno-lint-ignore no-explicit-any
): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    last = await page.evaluate(`fetch(
      "/api/prompt/v1/prompts/${promptId}?workspace_id=${spaceId}&with_draft=true",
      { headers: { "Agw-Js-Conv": "str" } },
    ).then((r) => r.json()).then((b) => b.prompt?.prompt_draft?.detail)`);
    if (ready(last)) return last;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`the draft was not saved as expected: ${JSON.stringify(last)}`);
}
