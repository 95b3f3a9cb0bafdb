// Opens a portfolio report in headless Chromium (Debian's, driven by npm
// playwright-core) and asserts that it is self-contained and that every
// chart is drawn: present, visible, not marked empty, with non-empty shapes.
// The checks are grouped in cases (the page, each chart, the at-risk list);
// the closing "N passed, N failed" counts cases, not checks.
// Usage: node check_report.cjs REPORT.html [SCREENSHOT.png]
// (NODE_PATH must reach clients/typescript/node_modules.)
"use strict";
const path = require("node:path");
const { chromium } = require("playwright-core");

const CHARTS = ["health-by-segment", "retention-trend", "at-risk", "coverage"];

async function main() {
  const [file, screenshot] = process.argv.slice(2);
  if (!file) throw new Error("usage: check_report.cjs REPORT.html [SCREENSHOT.png]");
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_BIN || "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
           "--disable-component-update", "--disable-sync", "--no-first-run"],
  });
  // One case holds several checks; it passes when all of them do.
  const failures = [];
  let passed = 0;
  let current = null;
  const startCase = (name) => {
    endCase();
    current = { name, failed: 0 };
    console.log(`case  ${name}`);
  };
  const endCase = () => {
    if (!current) return;
    if (current.failed === 0) passed++;
    else failures.push(current.name);
    console.log(`${current.failed === 0 ? "ok  " : "FAIL"}  case ${current.name}`);
    current = null;
  };
  const check = (ok, what) => {
    if (!ok) current.failed++;
    console.log(`  ${ok ? "ok  " : "FAIL"}  ${what}`);
  };
  try {
    const page = await browser.newPage({ viewport: { width: 1300, height: 1000 } });
    const network = [];
    await page.route("**/*", (route) => {
      const url = route.request().url();
      if (url.startsWith("file://")) return route.continue();
      network.push(url);
      return route.abort();
    });
    const consoleErrors = [];
    page.on("console", (m) => m.type() === "error" && consoleErrors.push(m.text()));
    await page.goto("file://" + path.resolve(file), { waitUntil: "load" });

    startCase("the page is self-contained");

    check(network.length === 0, `no network requests (saw: ${network.join(", ") || "none"})`);
    check((await page.locator("script").count()) === 0, "no scripts in the report");
    check(consoleErrors.length === 0, `no console errors (${consoleErrors.join("; ") || "none"})`);
    check((await page.title()).length > 0, "has a title");

    for (const name of CHARTS) {
      startCase(`chart ${name} is drawn`);
      const svg = page.locator(`figure#chart-${name} svg.chart[data-chart="${name}"]`);
      check((await svg.count()) === 1, `chart ${name}: present`);
      if ((await svg.count()) !== 1) continue;
      check(await svg.isVisible(), `chart ${name}: visible`);
      check((await svg.getAttribute("data-empty")) === "false", `chart ${name}: has data`);
      const box = await svg.boundingBox();
      check(box !== null && box.width > 200 && box.height > 50,
            `chart ${name}: rendered size ${box ? `${Math.round(box.width)}x${Math.round(box.height)}` : "none"}`);
      // Shapes that carry data, measured by the browser's layout.
      const shapes = await svg.evaluate((el) => {
        const out = [];
        for (const s of el.querySelectorAll("rect.bar, polyline.line, circle.point")) {
          const b = s.getBBox();
          out.push({ tag: s.tagName, w: b.width, h: b.height,
                     fill: getComputedStyle(s).fill, stroke: getComputedStyle(s).stroke,
                     visible: getComputedStyle(s).visibility !== "hidden" });
        }
        return out;
      });
      const drawn = shapes.filter((s) => s.visible && (s.w > 0 || s.h > 0));
      check(drawn.length > 0, `chart ${name}: ${drawn.length} data shapes drawn`);
      if (name === "retention-trend") {
        const lines = shapes.filter((s) => s.tag === "polyline" && s.w > 0);
        check(lines.length === 2, `chart ${name}: NRR and GRR lines drawn (${lines.length})`);
      } else {
        const bars = shapes.filter((s) => s.tag === "rect" && s.w > 0 && s.h > 0);
        check(bars.length > 0, `chart ${name}: ${bars.length} bars with area`);
      }
      const labels = await svg.locator("text").count();
      check(labels > 0, `chart ${name}: ${labels} labels`);
    }
    startCase("the at-risk list has rows");
    const riskRows = await page.locator("#at-risk-list table tr").count();
    check(riskRows > 1, `at-risk list: ${Math.max(riskRows - 1, 0)} rows`);
    endCase();
    if (screenshot) {
      await page.screenshot({ path: screenshot, fullPage: true });
      console.log(`screenshot: ${screenshot}`);
    }
  } finally {
    await browser.close();
  }
  console.log(`${passed} passed, ${failures.length} failed`);
  process.exit(failures.length === 0 ? 0 : 1);
}

main().catch((e) => {
  console.error(e);
  console.log("0 passed, 1 failed");
  process.exit(1);
});
