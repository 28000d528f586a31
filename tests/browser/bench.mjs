// bench: cold start of the light node in a fresh Chromium profile: from
// navigation to key ready, and to HEIGHT headers synced and verified; the
// header verification rate inside the page; the wasm's sizes.
//   node bench.mjs PAGE_URL HEIGHT [RUNS]
// Prints one JSON line with the medians. With PW_PROFILE=FILE set, the
// first run is recorded by the DevTools CPU profiler into FILE (open it in
// Chromium's Performance panel, or summarise it with profsum.mjs).
import { statSync, writeFileSync } from 'node:fs';
import { launch, until, state } from './lib.mjs';

const [url, heightArg, runsArg] = process.argv.slice(2);
const height = Number(heightArg);
const runs = Number(runsArg || 3);

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };

const results = [];
for (let i = 0; i < runs; i++) {
  const b = await launch(); // a fresh profile: nothing cached, no key, no headers
  try {
    const page = await b.context.newPage();
    let cdp = null;
    if (process.env.PW_PROFILE && i === 0) {
      cdp = await b.context.newCDPSession(page);
      await cdp.send('Profiler.enable');
      await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
      await cdp.send('Profiler.start');
    }
    await page.goto(url);
    const s = await until(`${height} headers`, async () => {
      const s = await state(page);
      return s && s.sync.synced && s.tip.height >= height && s;
    }, 60000);
    if (cdp) {
      const { profile } = await cdp.send('Profiler.stop');
      writeFileSync(process.env.PW_PROFILE, JSON.stringify(profile));
    }
    // The page marks "synced" when it next renders the state, which may
    // come a moment after the state says so.
    const marks = await until('the synced mark', () => page.evaluate(() => globalThis.postworkMarks.synced && globalThis.postworkMarks), 10000);
    results.push({
      compiled: marks.compiled, keyReady: marks.keyReady, synced: marks.synced,
      headers: s.sync.headers, verifyMs: s.sync.verifyMs, syncMs: s.sync.syncMs,
      storeMs: s.sync.storeMs, parseMs: s.sync.parseMs, waitMs: s.sync.waitMs, batches: s.sync.batches,
    });
    if (b.errors.length) throw new Error(b.errors.join('\n'));
  } finally {
    await b.close();
  }
}
const size = (p) => { try { return statSync(p).size; } catch { return 0; } };
console.log(JSON.stringify({
  runs,
  headers: median(results.map((r) => r.headers)),
  compiledMs: median(results.map((r) => r.compiled)),
  keyReadyMs: median(results.map((r) => r.keyReady)),
  syncedMs: median(results.map((r) => r.synced)),
  syncMs: median(results.map((r) => r.syncMs)),
  verifyPerSec: median(results.map((r) => r.headers / (r.verifyMs / 1000))),
  syncPerSec: median(results.map((r) => r.headers / (r.syncMs / 1000))),
  verifyMs: median(results.map((r) => r.verifyMs)),
  storeMs: median(results.map((r) => r.storeMs)),
  parseMs: median(results.map((r) => r.parseMs)),
  waitMs: median(results.map((r) => r.waitMs)),
  batches: median(results.map((r) => r.batches)),
  wasmBytes: size('build/postwork.wasm'),
  wasmGzipBytes: size('build/postwork.wasm.gz'),
  wasmBrotliBytes: size('build/postwork.wasm.br'),
}));
