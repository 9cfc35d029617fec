// The catalog page in Chromium, served by the Worker under workerd: what a person sees and can do.
import { mkdirSync, writeFileSync } from "node:fs";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { axeSource, launchChromium, watchedPage } from "./browser.ts";
import { HOSTILE_DESCRIPTION, HOSTILE_NAME, KEY } from "./constants.ts";

const SCREENSHOTS = new URL("../screenshots/", import.meta.url);
const catalogSize = () => inject("catalogSize");
let browser: Browser;

beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

/** The sort values (`data-v`) of one column, for the rows currently shown, top to bottom. */
const columnValues = (page: Page, index: number) =>
  page.$$eval(
    "#models tbody tr:not([hidden])",
    (rows, i) => rows.map((row) => (row as HTMLTableRowElement).cells[i]?.dataset.v ?? "?"),
    index,
  );
const shownRows = (page: Page) =>
  page.$$eval("#models tbody tr:not([hidden])", (rows) => rows.map((row) => (row as HTMLElement).dataset.row ?? ""));
const shownPoints = (page: Page) =>
  page.$$eval(".chart .point:not(.off)", (points) => points.map((p) => (p as SVGElement).dataset.row ?? ""));

/** Whether `values` are in order, the empty (unknown) ones last whatever the direction. */
function inOrder(values: string[], numeric: boolean, direction: 1 | -1): boolean {
  const known = values.filter((v) => v !== "");
  if (values.slice(known.length).some((v) => v !== "")) return false;
  return known.every((v, i) => {
    if (i === 0) return true;
    const previous = known[i - 1]!;
    const order = numeric ? Number(v) - Number(previous) : v.localeCompare(previous);
    return order * direction >= 0;
  });
}

async function openWithScript(url: string) {
  const watched = await watchedPage(browser);
  await watched.page.goto(url);
  await watched.page.locator("#filters").waitFor({ state: "visible" });
  return watched;
}

describe("the public catalog (operator mode with PUBLIC_CATALOG)", () => {
  it("is rendered on the server and readable without JavaScript", async () => {
    const { page } = await watchedPage(browser, { javaScriptEnabled: false });
    await page.goto(inject("publicUrl"));
    await expect.poll(() => page.locator("#models tbody tr").count()).toBe(catalogSize());
    expect(await page.locator("#key-form").isVisible()).toBe(false);
    expect(await page.locator(".chart svg .point").count()).toBeGreaterThan(0);
    await page.context().close();
  });

  it("loads with no console errors, shows every row and a chart point per priced model", async () => {
    const { page, problems } = await openWithScript(inject("publicUrl"));
    expect(await page.locator("#models tbody tr").count()).toBe(catalogSize());
    const priced = (await columnValues(page, 4)).filter((v) => v !== "").length;
    expect(priced).toBeGreaterThan(0);
    expect(await page.locator(".chart .point").count()).toBe(priced);
    expect(await page.locator(".chart-text li").count()).toBe(catalogSize());
    // Measured for the report, never asserted: speed belongs to benchmarks.
    const firstPaintMs = await page.evaluate(
      () => performance.getEntriesByName("first-contentful-paint")[0]?.startTime ?? null,
    );
    mkdirSync(SCREENSHOTS, { recursive: true });
    await page.screenshot({ path: new URL("catalog.png", SCREENSHOTS).pathname, fullPage: true });
    writeFileSync(new URL("metrics.json", SCREENSHOTS), `${JSON.stringify({ firstPaintMs, rows: catalogSize() })}\n`);
    console.log(`catalog page: first contentful paint ${firstPaintMs?.toFixed(0)} ms, ${catalogSize()} rows`);
    expect(problems).toEqual([]);
    await page.context().close();
  });

  it("sorts by every column both ways, unknown values last", async () => {
    const { page, problems } = await openWithScript(inject("publicUrl"));
    const headers = page.locator("#models thead th");
    const count = await headers.count();
    expect(count).toBe(10);
    for (let i = 0; i < count; i++) {
      const header = headers.nth(i);
      const numeric = (await header.getAttribute("data-kind")) === "number";
      for (const [direction, sign] of [
        ["ascending", 1],
        ["descending", -1],
      ] as const) {
        // The first column starts ascending, so its first click turns it descending.
        if ((await header.getAttribute("aria-sort")) === direction) await header.locator("button").click();
        await header.locator("button").click();
        expect(await header.getAttribute("aria-sort")).toBe(direction);
        expect(inOrder(await columnValues(page, i), numeric, sign), `column ${i} ${direction}`).toBe(true);
      }
    }
    expect(problems).toEqual([]);
    await page.context().close();
  });

  it("sorts from the keyboard", async () => {
    const { page } = await openWithScript(inject("publicUrl"));
    const context = page.locator("#models thead th").nth(2);
    await context.locator("button").focus();
    await page.keyboard.press("Enter");
    expect(await context.getAttribute("aria-sort")).toBe("ascending");
    await page.keyboard.press("Space");
    expect(await context.getAttribute("aria-sort")).toBe("descending");
    expect(inOrder(await columnValues(page, 2), true, -1)).toBe(true);
    await page.context().close();
  });

  it("filters by text, capability and price and context bounds, and the chart follows", async () => {
    const { page, problems } = await openWithScript(inject("publicUrl"));
    await page.fill("#q", "gpt-oss");
    const byText = await shownRows(page);
    expect(byText.length).toBeGreaterThan(0);
    expect(byText.length).toBeLessThan(catalogSize());
    expect(byText.every((name) => name.includes("gpt-oss"))).toBe(true);
    expect(await page.textContent("#count")).toBe(`${byText.length} of ${catalogSize()} models`);
    await page.fill("#q", "");

    await page.check('input[name=feature][value="tools"]');
    const features = await page.$$eval("#models tbody tr:not([hidden])", (rows) =>
      rows.map((row) => (row as HTMLElement).dataset.features ?? ""),
    );
    expect(features.length).toBeGreaterThan(0);
    expect(features.every((f) => f.split(" ").includes("tools"))).toBe(true);
    await page.uncheck('input[name=feature][value="tools"]');

    // Bounds taken from the catalog itself, so each one removes rows; the expected rows are worked out here.
    const rows = await page.$$eval("#models tbody tr", (trs) =>
      trs.map((tr) => {
        const cells = (tr as HTMLTableRowElement).cells;
        return {
          name: (tr as HTMLElement).dataset.row ?? "",
          context: Number(cells[2]?.dataset.v),
          output: cells[4]?.dataset.v ?? "",
        };
      }),
    );
    const prices = rows.flatMap((r) => (r.output === "" ? [] : [Number(r.output)])).sort((a, b) => a - b);
    const maxOutput = prices[Math.floor(prices.length / 2)]!;
    const minContext = [...new Set(rows.map((r) => r.context))].sort((a, b) => a - b)[1]!;
    const expected = rows
      .filter((r) => r.output !== "" && Number(r.output) <= maxOutput && r.context >= minContext)
      .map((r) => r.name);
    expect(expected.length).toBeGreaterThan(0);
    expect(expected.length).toBeLessThan(rows.length);
    await page.fill("#max-output", String(maxOutput));
    await page.fill("#min-context", String(minContext));
    expect((await shownRows(page)).sort()).toEqual(expected.sort());
    // The chart shows exactly the priced rows still shown.
    expect((await shownPoints(page)).sort()).toEqual((await shownRows(page)).sort());
    expect(problems).toEqual([]);
    await page.context().close();
  });

  it("shows a hostile name and description as text, and runs none of it", async () => {
    const { page, problems } = await openWithScript(inject("publicUrl"));
    const row = page.locator("#models tbody tr").filter({ hasText: "window.__pwned = 1" });
    expect(await row.locator(".description").textContent()).toBe(HOSTILE_DESCRIPTION);
    expect(await row.locator(".name").textContent()).toBe(HOSTILE_NAME);
    await row.locator(".name").hover();
    expect(await page.evaluate(() => (window as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(await page.locator("img, main b").count()).toBe(0);
    expect(problems).toEqual([]);
    await page.context().close();
  });

  it.each(["light", "dark"] as const)("has no serious accessibility violations (axe-core, %s)", async (scheme) => {
    const { page } = await watchedPage(browser, { colorScheme: scheme });
    await page.goto(inject("publicUrl"));
    await page.locator("#filters").waitFor({ state: "visible" });
    await page.evaluate(axeSource());
    const violations = await page.evaluate(async () => {
      const axe = (window as unknown as { axe: { run(): Promise<{ violations: { id: string; impact: string }[] }> } })
        .axe;
      return (await axe.run()).violations.map(({ id, impact }) => ({ id, impact }));
    });
    expect(violations.filter((v) => v.impact === "serious" || v.impact === "critical")).toEqual([]);
    mkdirSync(SCREENSHOTS, { recursive: true });
    await page.screenshot({ path: new URL(`catalog-${scheme}.png`, SCREENSHOTS).pathname, fullPage: true });
    await page.context().close();
  });
});

describe("pass-through mode", () => {
  it("asks for a key, keeps it in sessionStorage and sends it only in the Authorization header", async () => {
    const { page, problems, requests } = await watchedPage(browser);
    const url = inject("passThroughUrl");
    await page.goto(url);
    await page.locator("#key-form").waitFor({ state: "visible" });
    expect(await page.locator("#models").count()).toBe(0);

    await page.fill("#key", KEY);
    await page.click("#key-form button[type=submit]");
    await expect.poll(() => page.locator("#models tbody tr").count()).toBe(catalogSize());
    expect(await page.evaluate(() => sessionStorage.getItem("baseten-edge:key"))).toBe(KEY);
    expect(await page.evaluate(() => localStorage.length)).toBe(0);
    expect(await page.context().cookies()).toEqual([]);
    // The added column is the workspace's own view.
    expect(await columnValues(page, 9)).toContain("yes");

    // A new load of the tab finds the key and shows the catalog again, sortable.
    await page.reload();
    await expect.poll(() => page.locator("#models tbody tr").count()).toBe(catalogSize());
    await page.locator("#models thead th").nth(4).locator("button").click();
    expect(inOrder(await columnValues(page, 4), true, 1)).toBe(true);

    const withKey = requests.filter((r) => r.headers().authorization === `Bearer ${KEY}`);
    expect(withKey.length).toBe(2);
    expect(requests.every((r) => !r.url().includes(KEY) && !(r.postData() ?? "").includes(KEY))).toBe(true);

    await page.click("#forget");
    await page.locator("#key-form").waitFor({ state: "visible" });
    expect(await page.evaluate(() => sessionStorage.getItem("baseten-edge:key"))).toBeNull();
    expect(await page.locator("#models").count()).toBe(0);
    expect(problems).toEqual([]);
    await page.context().close();
  });

  it("says when Baseten refuses the key, and forgets it", async () => {
    const { page, problems } = await watchedPage(browser);
    await page.goto(inject("passThroughUrl"));
    await page.fill("#key", "not-a-baseten-key");
    await page.click("#key-form button[type=submit]");
    await page.locator("#catalog .notice").waitFor();
    expect(await page.locator("#models").count()).toBe(0);
    expect(await page.evaluate(() => sessionStorage.getItem("baseten-edge:key"))).toBeNull();
    // The browser reports the 401 itself; nothing else may go wrong.
    expect(problems.filter((p) => !p.includes("401"))).toEqual([]);
    await page.context().close();
  });
});
