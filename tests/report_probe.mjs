// Opens an HTML report (contract-report.html, traffic-report.html) in the system's Chromium,
// headless, a fresh profile, JavaScript off (the report must read without it), every request
// that is not the page itself refused, and prints what a reader sees, as JSON:
// {title, text, tags: {tag: count}, keyed: {"<data-key>": {text, exact}}, boxes, errors, refused}.
// `text` is what the page shows (innerText); `exact` is an element's text with each box the
// report draws for an invisible character (<span class="cp" data-cp="202E">) put back as the
// character itself, so that it can be compared with the JSON reports character for character.
// Usage: node report_probe.mjs <report.html> [screenshot.png [width height]]
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";

import { withPage } from "../vpbx_spec/headless_chromium.mjs";

const [pagePath, screenshot, width, height] = process.argv.slice(2);
const href = pathToFileURL(resolve(pagePath)).href;
// The report must need nothing but itself: no font, image, style or script.
const allowed = (url) => url === href;
const viewport = { width: Number(width) || 1280, height: Number(height) || 900 };
const seen = await withPage({ name: "report", viewport, javaScriptEnabled: false, allowed },
                            async (page, { errors, refused }) => {
  page.on("console", (message) => { if (message.type() === "error") errors.push(message.text()); });
  await page.goto(href, { waitUntil: "load" });
  // Playwright evaluates in its own world: this works with the page's JavaScript off.
  const shown = await page.evaluate(() => {
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
  return { ...shown, errors, refused };
});
process.stdout.write(JSON.stringify(seen));
