// Opens the rendered reference in the system's Chromium (headless, a fresh profile, every
// request that is not the page itself refused) and prints what a reader sees, as JSON:
// {title, operations: {"<link>": {"label", "text"}}, errors, refused}. Each operation's
// link is followed, since Redoc renders an operation's section when it is navigated to.
// Usage: node docs_probe.mjs <index.html> [screenshot.png [operation link]]
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";

import { withPage } from "./headless_chromium.mjs";

const [pagePath, screenshot, screenshotLink] = process.argv.slice(2);
// data: and blob: are the page's own; anything else (e.g. Redoc's logo) it must not need.
const allowed = (url) => /^(file|data|blob):/.test(url);
const seen = await withPage({ name: "docs", viewport: { width: 1400, height: 1000 }, allowed },
                            async (page, { errors, refused }) => {
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
  return { title, operations, errors, refused };
});
process.stdout.write(JSON.stringify(seen));
