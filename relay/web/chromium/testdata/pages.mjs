// pages.mjs BASE OUTDIR PAGES_JSON: loads each page of a running node in
// Chromium (Debian's, through playwright-core), in a desktop light and a
// phone dark view, and fails on console errors, failed requests, a wrong
// status, a missing element, a page wider than its viewport, active injected
// markup, or live parts that do not go live. It writes
// OUTDIR/<page>-<view>.png, then checks live updates (POST /test/post and
// /test/mine make the node change), keyboard access and the pages without
// JavaScript. It prints one
// ok/FAIL line per check and exits non-zero on any failure.
import { chromium } from 'playwright-core';

const [base, outDir, pagesJSON] = process.argv.slice(2);
const pages = JSON.parse(pagesJSON);
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const VIEWS = [
  { name: 'desktop-light', viewport: { width: 1280, height: 800 }, colorScheme: 'light' },
  { name: 'phone-dark', viewport: { width: 375, height: 740 }, colorScheme: 'dark', isMobile: true, hasTouch: true },
];

let failed = 0;
let lap = Date.now();
function report(name, err) {
  const ms = Date.now() - lap;
  lap = Date.now();
  if (err) {
    failed++;
    console.log(`FAIL ${name} (${ms} ms): ${err.stack || err}`);
  } else {
    console.log(`ok ${name} (${ms} ms)`);
  }
}

async function until(what, fn, timeoutMs = 10000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await fn()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

// watch collects what must not happen on a page: console errors (CSP
// violations among them), uncaught exceptions, failed requests and error
// responses to anything but the document itself.
function watch(page, expectedStatus = 200) {
  const problems = [];
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    // Chromium logs a document served with an error status; that status
    // is the one the check expects.
    const doc = m.location().url === page.url() && m.text().startsWith('Failed to load resource');
    if (doc && expectedStatus >= 400) return;
    problems.push(`console: ${m.text()} (${m.location().url})`);
  });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('requestfailed', (r) => {
    // Leaving a page aborts its live stream; that is not a failure.
    if (r.url().includes('/events?') && r.failure()?.errorText === 'net::ERR_ABORTED') return;
    problems.push(`request failed: ${r.url()} ${r.failure()?.errorText}`);
  });
  page.on('response', (r) => {
    if (r.request().isNavigationRequest() && r.request().frame() === page.mainFrame()) return;
    if (r.status() >= 400) problems.push(`${r.status()} for ${r.url()}`);
  });
  return problems;
}

const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', headless: true, args: FLAGS });
try {
  for (const view of VIEWS) {
    const context = await browser.newContext({ viewport: view.viewport, colorScheme: view.colorScheme, isMobile: view.isMobile, hasTouch: view.hasTouch });
    for (const p of pages) {
      const name = `${p.name} (${view.name})`;
      const page = await context.newPage();
      const problems = watch(page, p.status);
      try {
        const res = await page.goto(base + p.path, { waitUntil: 'load' });
        if (res.status() !== p.status) throw new Error(`status ${res.status()}, want ${p.status}`);
        for (const id of p.expect) {
          if (await page.locator(`[data-testid="${id}"]`).count() === 0) throw new Error(`no [data-testid="${id}"]`);
        }
        if (p.text && !(await page.locator('main').innerText()).includes(p.text)) {
          throw new Error(`main does not show ${JSON.stringify(p.text)}`);
        }
        const layout = await page.evaluate(() => ({
          sheets: document.styleSheets.length,
          rules: document.styleSheets[0]?.cssRules.length ?? 0,
          wide: document.documentElement.scrollWidth - window.innerWidth,
          injected: document.querySelectorAll('main script, main img, main svg, main iframe, [onerror], [onload], [onclick]').length,
          jsLinks: [...document.querySelectorAll('a[href]')].filter((a) => a.href.toLowerCase().startsWith('javascript:')).length,
        }));
        if (layout.sheets !== 1 || layout.rules < 20) throw new Error(`stylesheet not applied: ${JSON.stringify(layout)}`);
        if (layout.wide > 1) throw new Error(`page is ${layout.wide}px wider than the ${view.viewport.width}px viewport`);
        if (layout.injected || layout.jsLinks) throw new Error(`injected markup is active: ${JSON.stringify(layout)}`);
        if (p.live) {
          await until('the live stream to open', () => page.locator('[data-live][data-state="live"]').count());
        }
        await page.screenshot({ path: `${outDir}/${p.name}-${view.name}.png`, fullPage: true });
        if (problems.length) throw new Error(problems.join('; '));
        report(name);
      } catch (err) {
        report(name, err);
      } finally {
        await page.close();
      }
    }
    await context.close();
  }

  // Live: a post submitted to the node appears on an open /mempool page.
  {
    const context = await browser.newContext();
    const page = await context.newPage();
    const problems = watch(page);
    try {
      await page.goto(base + '/mempool');
      await until('the live stream to open', () => page.locator('[data-live="mempool"][data-state="live"]').count());
      const before = await page.locator('[data-testid="mempool-summary"]').innerText();
      const res = await page.request.post(base + '/test/post');
      if (!res.ok()) throw new Error(`POST /test/post: ${res.status()} ${await res.text()}`);
      const content = await res.text();
      await until(`"${content}" on the open page`, async () => (await page.locator('[data-live="mempool"]').innerText()).includes(content));
      const after = await page.locator('[data-testid="mempool-summary"]').innerText();
      if (after === before) throw new Error(`summary still ${JSON.stringify(after)}`);
      if (problems.length) throw new Error(problems.join('; '));
      report('live update of /mempool');
    } catch (err) {
      report('live update of /mempool', err);
    }
    await context.close();
  }

  // Live: a block mined by the node shows on an open /explorer page.
  {
    const context = await browser.newContext();
    const page = await context.newPage();
    const problems = watch(page);
    try {
      await page.goto(base + '/explorer');
      await until('the live stream to open', () => page.locator('[data-live="explorer"][data-state="live"]').count());
      const res = await page.request.post(base + '/test/mine');
      if (!res.ok()) throw new Error(`POST /test/mine: ${res.status()} ${await res.text()}`);
      const height = await res.text();
      await until(`tip height ${height} on the open page`, async () => (await page.locator('[data-testid="tip-height"]').innerText()) === height);
      const first = await page.locator('[data-testid="block-row"]').first().innerText();
      if (!first.startsWith(height)) throw new Error(`first block row ${JSON.stringify(first)}`);
      if (problems.length) throw new Error(problems.join('; '));
      report('live update of /explorer');
    } catch (err) {
      report('live update of /explorer', err);
    }
    await context.close();
  }

  // Keyboard: the first Tab reaches the skip link, which moves to <main>;
  // focus is visible.
  {
    const context = await browser.newContext();
    const page = await context.newPage();
    try {
      await page.goto(base + '/explorer');
      await page.keyboard.press('Tab');
      const focused = await page.evaluate(() => {
        const el = document.activeElement;
        const box = el.getBoundingClientRect();
        return { text: el.textContent, top: box.top, outline: getComputedStyle(el).outlineStyle };
      });
      if (focused.text !== 'Skip to content' || focused.top < 0 || focused.outline === 'none') {
        throw new Error(`first Tab: ${JSON.stringify(focused)}`);
      }
      await page.keyboard.press('Enter');
      await until('focus on main', () => page.evaluate(() => document.activeElement.id === 'main'));
      await page.keyboard.press('Tab');
      const next = await page.evaluate(() => document.activeElement.closest('main') !== null);
      if (!next) throw new Error('Tab after the skip link left <main>');
      report('keyboard: skip link and focus');
    } catch (err) {
      report('keyboard: skip link and focus', err);
    }
    await context.close();
  }

  // Without JavaScript every page is complete, and search still works.
  {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    try {
      for (const p of pages) {
        const res = await page.goto(base + p.path);
        if (res.status() !== p.status) throw new Error(`${p.path}: status ${res.status()} without JavaScript`);
        for (const id of p.expect) {
          if (await page.locator(`[data-testid="${id}"]`).count() === 0) throw new Error(`${p.path}: no [data-testid="${id}"] without JavaScript`);
        }
      }
      await page.goto(base + '/explorer');
      await page.fill('#search-q', '0');
      await Promise.all([page.waitForURL('**/block/0'), page.press('#search-q', 'Enter')]);
      report('pages and search without JavaScript');
    } catch (err) {
      report('pages and search without JavaScript', err);
    }
    await context.close();
  }
} finally {
  await browser.close();
}
if (failed) {
  console.log(`${failed} check(s) failed`);
  process.exitCode = 1;
}
