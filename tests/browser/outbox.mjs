// outbox: a post written while the relay is down waits in the outbox,
// survives a reload, and goes out when the relay is back; a NIP-13 search
// can be cancelled.
//   node outbox.mjs PAGE_URL CONTROL_URL NODE_URL
import { run, until, state, check } from './lib.mjs';

const [page0, ctl, node] = process.argv.slice(2);
const control = async (what) => { const r = await fetch(`${ctl}/${what}`); if (!r.ok) throw new Error(`${what}: ${r.status}`); };
const mine = (s, content) => s && s.posts.find((p) => p.mine && p.content === content);

await run('outbox: offline post survives a reload and goes out on reconnect; work can be cancelled', async ({ context }) => {
  const page = await context.newPage();
  await page.goto(page0);
  await until('synced', async () => (await state(page))?.conn === 'synced');

  // Cancel: ask for far more work than a test can wait for.
  await page.fill('[data-testid=bits]', '30');
  await page.fill('[data-testid=compose]', 'never finished');
  await page.click('[data-testid=post]');
  await until('progress shown', async () => /working: [\d,]+ of about/.test(await page.textContent('[data-testid=pow-progress]')));
  check(await page.isVisible('[data-testid=cancel]'), 'cancel button shown while working');
  await page.click('[data-testid=cancel]');
  await until('cancelled', async () => (await page.textContent('[data-testid=pow-progress]')) === 'cancelled');
  check(!mine(await state(page), 'never finished'), 'a cancelled post is not published');
  await page.fill('[data-testid=bits]', '8');

  await control('stop');
  await until('connection down', async () => (await state(page)).conn === 'closed', 30000);
  await page.fill('[data-testid=compose]', 'written while offline');
  await page.click('[data-testid=post]');
  const p = await until('post in the outbox', async () => {
    const q = mine(await state(page), 'written while offline');
    return q && q.status === 'sending' && q;
  });
  await page.reload();
  await until('still in the outbox after reload', async () => mine(await state(page), 'written while offline')?.status === 'sending');

  await control('start');
  await until('accepted once the relay is back', async () => mine(await state(page), 'written while offline')?.status === 'pending', 60000);
  const r = await fetch(`${node}/api/posts/${p.id}`);
  check(r.ok, `the node has the post (${r.status})`);
}, [/WebSocket connection to .* failed/, /Failed to load resource: net::ERR_CONNECTION_REFUSED/]);
