// smoke: the page loads, makes a key, connects, syncs.
import { run, until, state, check } from './lib.mjs';

const url = process.argv[2];
await run('smoke', async ({ context }) => {
  const page = await context.newPage();
  await page.goto(url);
  const s = await until('synced state', async () => { const s = await state(page); return s && s.conn === 'synced' && s; });
  check(s.npub.startsWith('npub1'), 'npub shown');
  console.log(JSON.stringify(s));
});
