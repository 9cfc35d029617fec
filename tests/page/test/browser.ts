// Chromium for the page suite: Debian's build (never a downloaded one), and pages that record what
// would count as a failure (console errors, uncaught exceptions, dialogs) and every request they send.
import { createRequire } from "node:module";
import { type Browser, type BrowserContextOptions, chromium, type Page, type Request } from "playwright-core";
import { ensureChromium } from "../../../runtime-tests/lib/setup.ts";

export async function launchChromium(): Promise<Browser> {
  const executablePath = await ensureChromium({ ...process.env });
  // Loud on purpose: a CI without a browser must fail here, not pass by skipping.
  if (!executablePath)
    throw new Error("Chromium is missing at /usr/bin/chromium and could not be installed (not root)");
  return chromium.launch({ executablePath, args: ["--no-sandbox"] });
}

export interface WatchedPage {
  page: Page;
  /** Console errors, uncaught exceptions and dialogs (alert, confirm) seen so far. */
  problems: string[];
  requests: Request[];
}

export async function watchedPage(browser: Browser, options: BrowserContextOptions = {}): Promise<WatchedPage> {
  const context = await browser.newContext({
    colorScheme: "light",
    viewport: { width: 1280, height: 900 },
    ...options,
  });
  const page = await context.newPage();
  const problems: string[] = [];
  const requests: Request[] = [];
  page.on("console", (message) => {
    if (message.type() === "error") problems.push(`console: ${message.text()}`);
  });
  page.on("pageerror", (error) => problems.push(`exception: ${error.message}`));
  page.on("dialog", (dialog) => {
    problems.push(`dialog: ${dialog.message()}`);
    void dialog.dismiss();
  });
  page.on("request", (request) => requests.push(request));
  return { page, problems, requests };
}

/** axe-core's source, evaluated in the page (the page's CSP would refuse a script tag). */
export function axeSource(): string {
  const require = createRequire(import.meta.url);
  return require("node:fs").readFileSync(require.resolve("axe-core/axe.min.js"), "utf8") as string;
}
