// mining: the page mines a block on the dev network in its Web Workers; the
// node accepts it, its tip moves, the coinbase pays the page's key, and the
// post the page made is confirmed by the page's own block.
//   node mining.mjs PAGE_URL NODE_URL
import { run, until, state, check } from './lib.mjs';

const [page0, node] = process.argv.slice(2);
const getJSON = async (path) => { const r = await fetch(node + path); if (!r.ok) throw new Error(`${path}: ${r.status}`); return r.json(); };

await run('mining: a block mined in the browser is accepted by the node and pays the page', async ({ context }) => {
  const page = await context.newPage();
  await page.goto(page0);
  const s0 = await until('synced', async () => { const s = await state(page); return s?.conn === 'synced' && s; });
  const tip0 = await getJSON('/api/tip');
  check((await getJSON(`/api/balance/${s0.npub}`)).reward === 0, 'a new key has earned nothing');

  await page.fill('[data-testid=compose]', 'confirmed by my own block');
  await page.click('[data-testid=post]');
  const post = await until('post pending at the node', async () =>
    (await state(page)).posts.find((p) => p.mine && p.status === 'pending'));

  check(await page.inputValue('[data-testid=mine-threads]') === String(await page.evaluate(() => navigator.hardwareConcurrency)),
    'the thread count defaults to the cores the browser reports');
  await page.fill('[data-testid=mine-threads]', '2');
  await page.click('[data-testid=mine-start]');
  await until('hashrate shown', async () => /[1-9]/.test(await page.textContent('[data-testid=hashrate]')));
  await until('expected time to a block shown', async () => /\d/.test(await page.textContent('[data-testid=mine-eta]')));
  await until('a block found', async () => (await page.textContent('[data-testid=blocks-found]')) !== '0', 120000);

  const tip1 = await until('the node\'s tip moved', async () => { const t = await getJSON('/api/tip'); return t.height > tip0.height && t; });
  const bal = await until('the coinbase pays the page\'s key', async () => {
    const b = await getJSON(`/api/balance/${s0.npub}`); return b.reward > 0 && b;
  });
  check(bal.blocks >= 1, `blocks credited: ${bal.blocks}`);
  await until('the post confirmed in the page', async () =>
    (await state(page)).posts.find((p) => p.id === post.id)?.status === 'confirmed', 60000);
  const onNode = await getJSON(`/api/posts/${post.id}`);
  check(onNode.block || onNode.height, `the node confirms the post: ${JSON.stringify(onNode).slice(0, 200)}`);
  await until('rewards shown in the page', async () => /[1-9]/.test(await page.textContent('[data-testid=rewards]')), 30000);

  await page.click('[data-testid=mine-stop]');
  await until('hashrate back to zero', async () => (await page.textContent('[data-testid=hashrate]')) === '0 H/s');
  console.log(`mined to height ${tip1.height}; balance ${bal.coins} in ${bal.blocks} blocks`);
});
