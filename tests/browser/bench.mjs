// bench: cold start of the light node in a fresh Chromium profile: from
// navigation to key ready, and to HEIGHT headers synced and verified; the
// header verification rate inside the page; the wasm's sizes.
//   node bench.mjs PAGE_URL HEIGHT [RUNS]
// Prints one JSON line with the medians.
import { statSync } from 'node:fs';
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
    await page.goto(url);
    const s = await until(`${height} headers`, async () => {
      const s = await state(page);
      return s && s.sync.synced && s.tip.height >= height && s;
    }, 60000);
    const marks = await page.evaluate(() => globalThis.postworkMarks);
    results.push({
      compiled: marks.compiled, keyReady: marks.keyReady, synced: marks.synced,
      headers: s.sync.headers, verifyMs: s.sync.verifyMs, syncMs: s.sync.syncMs,
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
  wasmBytes: size('build/postwork.wasm'),
  wasmGzipBytes: size('build/postwork.wasm.gz'),
  wasmBrotliBytes: size('build/postwork.wasm.br'),
}));
