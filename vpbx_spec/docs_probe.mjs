// Opens the rendered reference in the system's Chromium (headless, a fresh profile, every
// request that is not the page itself refused) and prints what a reader sees, as JSON:
// {title, operations: {"<link>": {"label", "text"}}, errors, refused}. Each operation's
// link is followed, since Redoc renders an operation's section when it is navigated to.
// Usage: node docs_probe.mjs <index.html> [screenshot.png [operation link]]
// playwright-core never downloads a browser here: the executable is given.
import { createRequire } from "node:module";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL, fileURLToPath } from "node:url";

const here = fileURLToPath(new URL(".", import.meta.url));
const require = createRequire(join(here, "..", "tools", "package.json"));
const { chromium } = require("playwright-core");

const [pagePath, screenshot, screenshotLink] = process.argv.slice(2);
const profile = mkdtempSync(join(tmpdir(), "vpbx-docs-chromium-"));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  headless: true,
  viewport: { width: 1400, height: 1000 },
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
try {
  const page = context.pages()[0] ?? (await context.newPage());
  const errors = [];
  const refused = [];
  page.on("pageerror", (error) => errors.push(String(error)));
  await page.route("**/*", (route) => {
    const url = route.request().url();
    if (/^(file|data|blob):/.test(url)) return route.continue();
    refused.push(url);  // e.g. Redoc's logo; the reference must not need it
    return route.abort();
  });
  await page.goto(pathToFileURL(resolve(pagePath)).href, { waitUntil: "load" });
  await page.waitForSelector("a[href^='#/']", { timeout: 30000 });
  const links = await page.$$eval("a[href^='#/']", (nodes) => nodes
    .map((node) => [node.getAttribute("href"), node.innerText.replace(/\s+/g, " ").trim()])
    .filter(([href]) => href.split("/").length === 3));
  const operations = {};
  for (const [href, label] of links) {
    if (href in operations) continue;
    await page.click(`a[href='${href}']`);
    await page.waitForFunction((h) => location.hash === h, href);
    await page.waitForTimeout(500);  // Redoc renders the section after the route changes
    operations[href] = { label, text: await page.evaluate(() => document.body.innerText) };
    if (screenshot && href === screenshotLink) await page.screenshot({ path: screenshot });
  }
  const title = await page.title();
  process.stdout.write(JSON.stringify({ title, operations, errors, refused }));
} finally {
  await context.close();
  rmSync(profile, { recursive: true, force: true });
}
