// minebench: block-mining hashrate in headless Chromium. The page's miner
// (wasm/js/mine.js) works on a fixed header too hard to solve, given by the
// caller, on 1 and 2 workers and on one worker per core; beside it, the same
// run's hash-wasm (npm) SHA-256 of a 96-byte header, one hash per nonce, on
// the main thread of a blank page. Each figure is the best of two rounds.
//   node minebench.mjs PAGE_URL HEADER_HEX SECONDS
// Prints one JSON line.
import { readFileSync } from 'node:fs';
import { launch, until, state } from './lib.mjs';

const [url, header, secsArg] = process.argv.slice(2);
const secs = Number(secsArg || 3);

const b = await launch();
try {
  const page = await b.context.newPage();
  await page.goto(url);
  await until('light node ready', async () => (await state(page))?.conn === 'synced', 60000);
  const cores = await page.evaluate(() => navigator.hardwareConcurrency);
  const rate = async (threads) => page.evaluate(async ({ threads, header, secs }) => {
    const m = globalThis.postworkMiner;
    m.api = { template: async () => ({ id: 'bench', header, prev: 'bench', height: 1, expected: 2 ** 64 }), submit: async () => '' };
    await m.start(threads, 0);
    await new Promise((r) => setTimeout(r, 1000)); // workers warm up
    const h0 = m.hashes; const t0 = performance.now();
    await new Promise((r) => setTimeout(r, secs * 1000));
    const rate = (m.hashes - h0) / ((performance.now() - t0) / 1000);
    m.stop();
    return rate;
  }, { threads, header, secs });
  // Every worker exists and its code is compiled to the optimising tier
  // before anything counts; each figure is the best of two rounds, as other
  // processes on the machine take cores now and then.
  await rate(cores);
  let one = 0; let two = 0; let all = 0;
  for (let round = 0; round < 2; round++) {
    all = Math.max(all, await rate(cores));
    two = Math.max(two, await rate(2));
    one = Math.max(one, await rate(1));
  }

  const blank = await b.context.newPage();
  await blank.addScriptTag({ content: readFileSync('node_modules/hash-wasm/dist/sha256.umd.min.js', 'utf8') });
  const hashWasm = await blank.evaluate(async ({ header, secs }) => {
    const h = await globalThis.hashwasm.createSHA256();
    const buf = new Uint8Array(header.match(/../g).map((x) => parseInt(x, 16)));
    const view = new DataView(buf.buffer);
    let n = 0;
    const t0 = performance.now();
    const end = t0 + secs * 1000;
    while (performance.now() < end) {
      for (let i = 0; i < 4096; i++, n++) {
        view.setUint32(88, n, true);
        h.init(); h.update(buf); h.digest('binary');
      }
    }
    return n / ((performance.now() - t0) / 1000);
  }, { header, secs });
  if (b.errors.length) throw new Error(b.errors.join('\n'));
  console.log(JSON.stringify({ cores, one, two, all, hashWasm }));
} finally {
  await b.close();
}
