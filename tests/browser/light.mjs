// light: a new user's first visit, end to end.
//   node light.mjs PAGE_URL [--mine URL] [--api URL] [--ws RELAY_URL]
// A key is made; a post goes through NIP-13 work in a worker, to the relay
// (OK) and shows pending; it is in the node (its /api/posts with --api,
// else a REQ by id); once a block is mined it shows confirmed. A reload
// keeps key, headers and feed; an ncryptsec export imported in a fresh
// browser gives the same npub; a hostile post stays text.
import { run, until, state, check, launch } from './lib.mjs';

const base = process.argv[2];
const mineURL = process.argv.includes('--mine') ? process.argv[process.argv.indexOf('--mine') + 1] : null;
const api = process.argv.includes('--api') ? process.argv[process.argv.indexOf('--api') + 1] : null;
const wsURL = process.argv.includes('--ws') ? process.argv[process.argv.indexOf('--ws') + 1]
  : base.replace(/^http/, 'ws').replace(/\/$/, '') + '/ws';

async function mine() {
  if (mineURL) {
    const r = await fetch(mineURL);
    if (!r.ok) throw new Error(`mine: ${r.status}`);
  }
}

// reqByID asks the relay, from inside the page, for one event by id.
async function reqByID(page, id) {
  return page.evaluate(([url, id]) => new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    const timer = setTimeout(() => { ws.close(); reject(new Error('REQ timed out')); }, 5000);
    let found = null;
    ws.onopen = () => ws.send(JSON.stringify(['REQ', 'q', { ids: [id] }]));
    ws.onmessage = (ev) => {
      const m = JSON.parse(ev.data);
      if (m[0] === 'EVENT' && m[1] === 'q') found = m[2];
      if (m[0] === 'EOSE' && m[1] === 'q') { clearTimeout(timer); ws.close(); resolve(found); }
    };
  }), [wsURL, id]);
}

async function post(page, content) {
  await page.fill('[data-testid=compose]', content);
  await page.click('[data-testid=post]');
  const s = await until(`post "${content.slice(0, 20)}" in the feed`, async () => {
    const s = await state(page);
    return s && s.posts.find((p) => p.mine && p.content === content.trim()) && s;
  });
  return s.posts.find((p) => p.mine && p.content === content.trim());
}

await run('light: new user posts, sees it confirmed, keeps it across reload', async ({ context }) => {
  const page = await context.newPage();
  await page.goto(base);
  const s0 = await until('key and sync', async () => { const s = await state(page); return s && s.npub && s.conn === 'synced' && s; });
  const npub = await page.textContent('[data-testid=npub]');
  check(npub === s0.npub && npub.startsWith('npub1'), `npub shown: ${npub}`);

  const p = await post(page, 'hello from a brand new light node');
  const pending = await until('post pending (relay said OK)', async () => {
    const s = await state(page);
    const q = s.posts.find((x) => x.id === p.id);
    return q && q.status === 'pending' && q;
  });
  check(pending.mine, 'post marked as mine');

  if (api) {
    await until('post in /api/posts', async () => (await fetch(`${api}/api/posts/${p.id}`)).ok);
  } else {
    const ev = await until('post held by the relay', () => reqByID(page, p.id));
    check(ev.id === p.id && ev.tags.some((t) => t[0] === 'nonce'), 'relay has the post with its NIP-13 nonce tag');
  }

  await mine();
  const confirmed = await until('post confirmed', async () => {
    const s = await state(page);
    const q = s.posts.find((x) => x.id === p.id);
    return q && q.status === 'confirmed' && q;
  }, 60000);
  check(confirmed.confirmations >= 1, 'confirmations shown');
  const li = page.locator(`[data-testid=post][data-id="${p.id}"]`);
  await until('feed item drawn as confirmed', async () => (await li.getAttribute('data-status')) === 'confirmed');
  check(/confirmed in block \d+/.test(await li.locator('[data-testid=post-status]').textContent()), 'status text');

  const before = await state(page);
  await page.reload();
  const after = await until('synced after reload', async () => { const s = await state(page); return s && s.conn === 'synced' && s; });
  check(after.npub === before.npub, 'reload keeps the key');
  check(after.tip.height >= before.tip.height, `reload keeps the headers (tip ${after.tip.height} vs ${before.tip.height})`);
  check(after.sync.headers <= after.tip.height - before.tip.height + 1, `reload re-verified only new headers (${after.sync.headers})`);
  check(after.posts.some((x) => x.id === p.id && x.status === 'confirmed'), 'reload keeps the feed');

  // A hostile post: markup must stay text, scripts must not run.
  const hostile = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script><b>bold?</b>';
  const h = await post(page, hostile);
  await until('hostile post pending', async () => (await state(page)).posts.some((x) => x.id === h.id && x.status === 'pending'));
  const item = page.locator(`[data-testid=post][data-id="${h.id}"] [data-testid=post-content]`);
  await until('hostile post drawn', async () => (await item.count()) === 1);
  check((await item.textContent()) === hostile, 'hostile content shown as its text');
  check(await item.evaluate((el) => el.children.length === 0), 'no elements made from post content');
  check(await page.evaluate(() => document.querySelectorAll('[data-testid=feed] img, [data-testid=feed] script, [data-testid=feed] b').length === 0), 'no img/script/b in the feed');
  check(await page.evaluate(() => window.__pwned === undefined), 'no script from a post ran');

  // Export as ncryptsec, import into a fresh browser: same npub.
  await page.click('summary:has-text("Export or import your key")');
  await page.fill('[data-testid=export-pass]', 'correct horse battery');
  await page.click('[data-testid=export-ncryptsec]');
  const enc = await until('ncryptsec shown', async () => {
    const t = await page.textContent('[data-testid=export-out]');
    return t.startsWith('ncryptsec1') && t;
  }, 30000);

  const other = await launch();
  try {
    const p2 = await other.context.newPage();
    await p2.goto(base);
    const fresh = await until('fresh key', async () => { const s = await state(p2); return s && s.npub && s; });
    check(fresh.npub !== before.npub, 'a fresh browser gets its own key');
    // A browser that never saw the post finds it confirmed too: from a
    // recent body, or (deeper) from the node's Merkle proof checked against
    // its own headers.
    await until('the first post confirmed in a fresh browser', async () =>
      (await state(p2)).posts.some((x) => x.id === p.id && x.status === 'confirmed'), 30000);
    // Live: a post made in the first browser shows up in the second.
    const live = await post(page, 'live from the first browser');
    await until('the live post in the second browser', async () =>
      (await state(p2)).posts.some((x) => x.id === live.id && !x.mine));
    await p2.click('summary:has-text("Export or import your key")');
    await p2.fill('[data-testid=import-key]', enc);
    await p2.fill('[data-testid=import-pass]', 'wrong password');
    await p2.click('[data-testid=import]');
    await until('wrong password refused', async () => /wrong password/.test(await p2.textContent('[data-testid=error]')), 30000);
    check((await state(p2)).npub === fresh.npub, 'a failed import keeps the key');
    await p2.fill('[data-testid=import-key]', enc);
    await p2.fill('[data-testid=import-pass]', 'correct horse battery');
    await p2.click('[data-testid=import]');
    await until('imported npub', async () => (await state(p2)).npub === before.npub, 30000);
    await until('imported npub shown', async () => (await p2.textContent('[data-testid=npub]')) === before.npub);
    if (other.errors.length) throw new Error(`errors in the second browser:\n  ${other.errors.join('\n  ')}`);
  } finally {
    await other.close();
  }
});
