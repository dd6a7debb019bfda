// Opens an HTML report (contract-report.html, traffic-report.html) in the system's Chromium,
// headless, a fresh profile, JavaScript off (the report must read without it), every request
// that is not the page itself refused, and prints what a reader sees, as JSON:
// {title, text, tags: {tag: count}, keyed: {"<data-key>": {text, exact}}, boxes, errors, refused}.
// `text` is what the page shows (innerText); `exact` is an element's text with each box the
// report draws for an invisible character (<span class="cp" data-cp="202E">) put back as the
// character itself, so that it can be compared with the JSON reports character for character.
// Usage: node report_probe.mjs <report.html> [screenshot.png [width height]]
// playwright-core never downloads a browser here: the executable is given.
import { createRequire } from "node:module";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL, fileURLToPath } from "node:url";

const here = fileURLToPath(new URL(".", import.meta.url));
const require = createRequire(join(here, "..", "tools", "package.json"));
const { chromium } = require("playwright-core");

const [pagePath, screenshot, width, height] = process.argv.slice(2);
const profile = mkdtempSync(join(tmpdir(), "vpbx-report-chromium-"));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  headless: true,
  javaScriptEnabled: false,
  viewport: { width: Number(width) || 1280, height: Number(height) || 900 },
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
try {
  const page = context.pages()[0] ?? (await context.newPage());
  const errors = [];
  const refused = [];
  page.on("pageerror", (error) => errors.push(String(error)));
  page.on("console", (message) => { if (message.type() === "error") errors.push(message.text()); });
  await page.route("**/*", (route) => {
    const url = route.request().url();
    if (url === pathToFileURL(resolve(pagePath)).href) return route.continue();
    refused.push(url);  // the report must need nothing else: no font, image, style or script
    return route.abort();
  });
  await page.goto(pathToFileURL(resolve(pagePath)).href, { waitUntil: "load" });
  // Playwright evaluates in its own world: this works with the page's JavaScript off.
  const seen = await page.evaluate(() => {
    const exact = (node) => {
      if (node.nodeType === Node.TEXT_NODE) return node.data;
      if (node.nodeType !== Node.ELEMENT_NODE) return "";
      if (node.classList.contains("cp") && node.dataset.cp) {
        return String.fromCodePoint(parseInt(node.dataset.cp, 16));
      }
      return Array.from(node.childNodes, exact).join("");
    };
    const tags = {};
    for (const element of document.querySelectorAll("*")) {
      const tag = element.tagName.toLowerCase();
      tags[tag] = (tags[tag] || 0) + 1;
    }
    const keyed = {};
    for (const element of document.querySelectorAll("[data-key]")) {
      keyed[element.dataset.key] = { text: element.innerText, exact: exact(element) };
    }
    return { title: document.title, text: document.body.innerText, tags, keyed,
             boxes: document.querySelectorAll(".cp").length };
  });
  if (screenshot) await page.screenshot({ path: screenshot });
  process.stdout.write(JSON.stringify({ ...seen, errors, refused }));
} finally {
  await context.close();
  rmSync(profile, { recursive: true, force: true });
}
