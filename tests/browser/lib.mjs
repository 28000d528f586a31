// Shared harness of the browser tests: Debian's Chromium driven by
// playwright-core, a fresh profile per run, and every page error and console
// error collected so a test fails on them.
import { chromium } from 'playwright-core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

// launch starts Chromium with a fresh --user-data-dir (a persistent context,
// so IndexedDB lives on disk and survives reloads as it would for a user).
export async function launch() {
  const dir = mkdtempSync(join(tmpdir(), 'postwork-chromium-'));
  const context = await chromium.launchPersistentContext(dir, {
    executablePath: CHROMIUM,
    headless: true,
    args: process.env.PW_CHROME_LOG ? [...FLAGS, '--enable-logging=stderr', '--v=0'] : FLAGS,
  });
  const errors = [];
  const watch = (page) => {
    page.on('pageerror', (err) => errors.push(`pageerror: ${err.message}`));
    page.on('crash', () => errors.push('page crashed'));
    page.on('close', () => { if (process.env.PW_DEBUG) console.log('page closed', page.url()); });
    page.on('framenavigated', (f) => { if (process.env.PW_DEBUG && f === page.mainFrame()) console.log('navigated', f.url()); });
    page.on('console', (msg) => {
      if (process.env.PW_DEBUG) console.log(`console.${msg.type()}: ${msg.text()}`);
      if (msg.type() === 'error') errors.push(`console.error: ${msg.text()}`);
    });
  };
  context.on('page', watch);
  for (const p of context.pages()) watch(p);
  return {
    context,
    errors,
    async close() {
      await context.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

// until polls fn (which may be async) until it returns a truthy value.
export async function until(what, fn, timeoutMs = 20000) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try {
      last = await fn();
      if (last) return last;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last: ${last})`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

// state reads the light node's state from the page.
export async function state(page) {
  return page.evaluate(() => (globalThis.postwork ? JSON.parse(globalThis.postwork.state()) : null));
}

export function check(cond, msg) {
  if (!cond) throw new Error(`check failed: ${msg}`);
}

// run wraps a test body: it prints a result line and sets the exit code,
// failing on any collected browser error. allow lists patterns of console
// errors a test provokes on purpose (the browser's own report of a refused
// connection while the relay is down); an uncaught exception never passes.
export async function run(name, body, allow = []) {
  const b = await launch();
  try {
    await body(b);
    b.errors = b.errors.filter((e) => e.startsWith('pageerror') || !allow.some((re) => re.test(e)));
    if (b.errors.length) throw new Error(`errors in the browser console:\n  ${b.errors.join('\n  ')}`);
    console.log(`ok ${name}`);
  } catch (err) {
    console.log(`FAIL ${name}: ${err.stack || err}`);
    if (b.errors.length) console.log(`browser errors:\n  ${b.errors.join('\n  ')}`);
    process.exitCode = 1;
  } finally {
    await b.close();
  }
}
