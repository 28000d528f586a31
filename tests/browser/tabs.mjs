// tabs: three tabs of one browser share one light node. A post made in any
// tab shows in the others; closing the leader hands the node to another
// tab; with the relay down the tabs still share posts, and the outbox
// drains when it is back; mining started from a follower runs in the
// leader only and moves with the lead.
//   node tabs.mjs PAGE_URL CONTROL_URL NODE_URL
import { run, until, state, check } from './lib.mjs';

const [page0, ctl, node] = process.argv.slice(2);
const control = async (what) => { const r = await fetch(`${ctl}/${what}`); if (!r.ok) throw new Error(`${what}: ${r.status}`); };
const role = (p) => p.evaluate(() => globalThis.PostworkTabs.role());
const find = async (p, content) => (await state(p))?.posts.filter((q) => q.content === content) || [];

// postIn posts from page and waits until every page in all shows it.
async function postIn(page, all, content) {
  await page.fill('[data-testid=compose]', content);
  await page.click('[data-testid=post]');
  for (const p of all) await until(`"${content}" in every tab`, async () => (await find(p, content)).length === 1);
}

async function leaderOf(pages) {
  return until('one leader', async () => {
    const roles = await Promise.all(pages.map(role));
    const leaders = pages.filter((_, i) => roles[i] === 'ready');
    check(leaders.length <= 1, `two leaders: ${roles}`);
    return leaders.length === 1 && roles.every((r) => r === 'ready' || r === 'follower') && leaders[0];
  });
}

await run('tabs: one node for three tabs, across a leader closing and a relay restart', async ({ context }) => {
  const a = await context.newPage();
  await a.goto(page0);
  await until('first tab synced', async () => (await state(a))?.conn === 'synced');
  const b = await context.newPage();
  const c = await context.newPage();
  await b.goto(page0);
  await c.goto(page0);
  let tabs = [a, b, c];
  for (const p of tabs) await until('every tab shows the synced node', async () => (await state(p))?.conn === 'synced');
  check(await leaderOf(tabs) === a, 'the first tab leads');
  const npub = (await state(a)).npub;
  for (const p of tabs) check((await state(p)).npub === npub, 'one key for every tab');
  for (const p of [b, c]) check(p.workers().length === 0, 'a follower runs no workers');

  await postIn(b, tabs, 'from tab b');
  await postIn(a, tabs, 'from tab a');

  // NIP-13 work for a follower's post runs in the leader; the follower sees
  // its progress and can cancel it.
  await b.fill('[data-testid=bits]', '30');
  await b.fill('[data-testid=compose]', 'never finished');
  await b.click('[data-testid=post]');
  await until('progress shown in the follower', async () => /working: [\d,]+ of about/.test(await b.textContent('[data-testid=pow-progress]')));
  await b.click('[data-testid=cancel]');
  await until('cancelled from the follower', async () => (await b.textContent('[data-testid=pow-progress]')) === 'cancelled');
  check((await find(a, 'never finished')).length === 0, 'a cancelled post is not published');
  await b.fill('[data-testid=bits]', '8');

  // Mining started in a follower runs in the leader, on the chosen count.
  await c.fill('[data-testid=mine-threads]', '2');
  await c.click('[data-testid=mine-start]');
  await until('the leader mines', async () => (await a.evaluate(() => globalThis.postworkMiner.stats())).threads === 2);
  await until('the follower shows the leader\'s mining', async () => /on 2 workers in another tab/.test(await c.textContent('[data-testid=mine-status]')));
  for (const p of [b, c]) check(p.workers().length === 0, 'followers add no mining workers');
  check(a.workers().length >= 2, `the leader runs the mining workers (${a.workers().length} workers)`);

  // The leader closes: another tab takes over and keeps mining.
  await a.close();
  tabs = [b, c];
  const next = await leaderOf(tabs);
  await until('the new leader mines on 2 workers', async () => (await next.evaluate(() => globalThis.postworkMiner.stats())).threads === 2, 30000);
  const other = next === b ? c : b;
  check(other.workers().length === 0, 'the remaining follower runs no workers');
  for (const p of tabs) await until('synced under the new leader', async () => (await state(p))?.conn === 'synced', 30000);
  await postIn(other, tabs, 'after the leader closed (follower)');
  await postIn(next, tabs, 'after the leader closed (leader)');
  await other.click('[data-testid=mine-stop]');
  await until('mining stopped', async () => !(await next.evaluate(() => globalThis.postworkMiner.stats())).running);

  // The relay goes away: posts are still shared at once.
  await control('stop');
  for (const p of tabs) await until('relay down in every tab', async () => (await state(p)).conn === 'closed', 30000);
  await postIn(other, tabs, 'offline from the follower');
  await postIn(next, tabs, 'offline from the leader');
  for (const content of ['offline from the follower', 'offline from the leader']) {
    check((await find(other, content))[0].status === 'sending', `${content}: waits in the outbox`);
  }

  await control('start');
  for (const content of ['offline from the follower', 'offline from the leader']) {
    const q = await until(`${content}: accepted once the relay is back`, async () => {
      const [p] = await find(other, content);
      return p && p.status === 'pending' && p;
    }, 60000);
    const r = await fetch(`${node}/api/posts/${q.id}`);
    check(r.ok, `the node has "${content}" (${r.status})`);
  }
  // Nothing lost, nothing doubled, in every tab.
  const all = ['from tab b', 'from tab a', 'after the leader closed (follower)', 'after the leader closed (leader)',
    'offline from the follower', 'offline from the leader'];
  for (const p of tabs) for (const content of all) check((await find(p, content)).length === 1, `"${content}" once`);
  for (const p of tabs) check((await state(p)).npub === npub, 'the key survived the change of leader');
}, [/WebSocket connection to .* failed/, /Failed to load resource: net::ERR_CONNECTION_REFUSED/]);

// Five tabs posting, closing and opening in an order drawn from a fixed
// seed, without waiting for one another: every post whose call returned an
// id shows exactly once in every tab and after a fresh start from storage;
// one cut short by its tab closing shows at most once; the key never
// changes.
await run('tabs: five tabs posting and closing in any order keep the stored state whole', async ({ context }) => {
  let seed = 6;
  const rand = (n) => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed % n; };
  const open = async () => { const p = await context.newPage(); await p.goto(page0); return p; };
  let tabs = [];
  const ready = (p) => until('tab ready', async () => (await state(p))?.conn === 'synced');
  for (let i = 0; i < 5; i++) tabs.push(await open());
  for (const p of tabs) await ready(p);
  const npub = await until('key', async () => (await state(tabs[0]))?.npub);
  const calls = [];
  for (let step = 0; step < 30; step++) {
    const r = rand(10);
    if (r < 7 || tabs.length === 1) {
      const content = `stress ${step}`;
      const p = tabs[rand(tabs.length)];
      calls.push({ content, done: p.evaluate((c) => globalThis.postwork.post(c, 0), content).then((id) => ({ id }), (err) => ({ err: String(err) })) });
    } else if (r < 9) {
      const [p] = tabs.splice(rand(tabs.length), 1);
      await p.close();
    } else if (tabs.length < 5) {
      const p = await open();
      await until('tab has the node\'s API', () => p.evaluate(() => !!globalThis.postwork));
      tabs.push(p);
    }
  }
  const results = await Promise.all(calls.map(async (c) => ({ ...c, ...(await c.done) })));
  const ok = results.filter((r) => r.id);
  for (const r of results) check(r.id || /Target page, context or browser has been closed/.test(r.err), `"${r.content}" failed in a tab that stayed open: ${r.err}`);
  check(ok.length >= 5, `${ok.length} of ${results.length} posts returned an id`);
  const whole = async (p, where) => {
    await until(`${where}: every post that returned an id`, async () => {
      const s = await state(p);
      return s && ok.every((r) => s.posts.filter((q) => q.id === r.id).length === 1);
    }, 30000);
    const s = await state(p);
    for (const r of results) {
      const n = s.posts.filter((q) => q.content === r.content).length;
      check(n <= 1, `${where}: "${r.content}" shown ${n} times`);
    }
    check(s.npub === npub, `${where}: the key changed`);
  };
  for (const p of tabs) await whole(p, 'open tab');
  for (const p of tabs) await p.close();
  await whole(await open(), 'fresh tab after all closed');
});
