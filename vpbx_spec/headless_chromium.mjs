// One headless Chromium page for the probes (docs_probe.mjs, tests/report_probe.mjs): the
// system's browser (playwright-core never downloads one; CHROMIUM names it), a fresh profile
// removed afterwards, and every request `allowed(url)` refuses aborted and listed, so a page
// that needs anything else (a font, a logo, a script) shows it.
import { createRequire } from "node:module";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const here = fileURLToPath(new URL(".", import.meta.url));
const require = createRequire(join(here, "..", "tools", "package.json"));
const { chromium } = require("playwright-core");

// Calls `use(page, {errors, refused})` and returns what it returns; the browser is closed after.
export async function withPage({ name, viewport, javaScriptEnabled = true, allowed }, use) {
  const profile = mkdtempSync(join(tmpdir(), `vpbx-${name}-chromium-`));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    headless: true,
    javaScriptEnabled,
    viewport,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    const seen = { errors: [], refused: [] };
    page.on("pageerror", (error) => seen.errors.push(String(error)));
    await page.route("**/*", (route) => {
      const url = route.request().url();
      if (allowed(url)) return route.continue();
      seen.refused.push(url);
      return route.abort();
    });
    return await use(page, seen);
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
}
