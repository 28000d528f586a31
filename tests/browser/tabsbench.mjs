// tabsbench: tab-to-tab post latency and leader failover in headless
// Chromium. Three tabs of one browser; a follower posts N times; for each
// post, the time from the click to the post showing in the leader's and the
// other follower's feed (MutationObserver on the rendered feed, times on
// the shared wall clock performance.timeOrigin + now). Then the leader
// closes, R times over: the time to the next leader's node accepting calls
// and to its relay connection synced.
//   node tabsbench.mjs PAGE_URL POSTS
// Prints one JSON line.
import { launch, until, state } from './lib.mjs';

const [url, postsArg] = process.argv.slice(2);
const posts = Number(postsArg || 30);
const pct = (xs, p) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor(s.length * p))]; };
const now = () => performance.timeOrigin + performance.now();

const b = await launch();
try {
  const open = async () => {
    const p = await b.context.newPage();
    await p.goto(url);
    await until('synced', async () => (await state(p))?.conn === 'synced', 60000);
    return p;
  };
  const leader = await open();
  const poster = await open();
  const other = await open();
  const watch = (p) => p.evaluate(() => {
    globalThis.seenAt = {};
    new MutationObserver(() => {
      for (const el of document.querySelectorAll('[data-testid=feed] .content')) {
        if (!(el.textContent in globalThis.seenAt)) globalThis.seenAt[el.textContent] = performance.timeOrigin + performance.now();
      }
    }).observe(document.querySelector('[data-testid=feed]'), { childList: true, subtree: true, characterData: true });
  });
  await watch(leader);
  await watch(other);
  const lat = [];
  for (let i = 0; i < posts + 2; i++) {
    const content = `latency ${i} ${Math.random()}`;
    const t0 = await poster.evaluate((content) => {
      document.querySelector('[data-testid=compose]').value = content;
      const t = performance.timeOrigin + performance.now();
      document.querySelector('[data-testid=post]').click();
      return t;
    }, content);
    const seen = [];
    for (const p of [leader, other]) {
      seen.push(await until('post seen', () => p.evaluate((c) => globalThis.seenAt[c], content)));
    }
    await until('compose cleared', async () => (await poster.inputValue('[data-testid=compose]')) === '');
    if (i >= 2) lat.push(...seen.map((t) => t - t0)); // the first posts start the leader's workers
  }

  // Failover: close the leader; the next tab leads.
  const failover = [];
  const failoverSynced = [];
  let tabs = [leader, poster, other];
  for (let r = 0; r < 3; r++) {
    const [lead, ...rest] = tabs;
    if (!rest.length) break;
    const t0 = now();
    await lead.close();
    const next = await until('a new leader', async () => {
      for (const p of rest) if (await p.evaluate(() => globalThis.PostworkTabs.role()) === 'ready') return p;
      return null;
    }, 30000);
    const ready = await next.evaluate(() => performance.timeOrigin + globalThis.postworkMarks.wasmReady);
    failover.push(ready - t0);
    await until('new leader synced', async () => (await state(next))?.conn === 'synced', 30000);
    failoverSynced.push(now() - t0);
    tabs = [next, ...rest.filter((p) => p !== next), await open()];
  }
  if (b.errors.length) throw new Error(b.errors.join('\n'));
  console.log(JSON.stringify({
    posts: lat.length, p50: pct(lat, 0.5), p95: pct(lat, 0.95), max: Math.max(...lat),
    failoverMs: pct(failover, 0.5), failoverMaxMs: Math.max(...failover), failoverSyncedMs: pct(failoverSynced, 0.5),
  }));
} finally {
  await b.close();
}
