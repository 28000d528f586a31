// hostile: a relay that sends malformed frames and an invalid header, then
// one that claims a tip it cannot back, then an honest one.
//   node hostile.mjs BASE_URL BAD_HEIGHT HONEST_HEIGHT
import { run, until, state, check } from './lib.mjs';

const base = process.argv[2].replace(/\/$/, '');
const badAt = Number(process.argv[3]);
const height = Number(process.argv[4]);
const ws = base.replace(/^http/, 'ws');

const problems = (s) => s.problems.map((p) => p.text).join('\n');

await run('hostile relays: garbage, an invalid header, a lying tip', async ({ context }) => {
  const page = await context.newPage();
  await page.goto(`${base}/?relay=${encodeURIComponent(ws + '/bad/ws')}`);

  const s1 = await until('problems reported', async () => {
    const s = await state(page);
    return s && /malformed/.test(problems(s)) && /invalid header at height/.test(problems(s)) && s;
  });
  check(s1.tip.height === badAt - 1, `headers stored up to the last valid one (${s1.tip.height}, want ${badAt - 1})`);
  check(/proof of work/.test(problems(s1)), `the reason is given: ${problems(s1)}`);
  await until('problems shown on the page', async () => /invalid header/.test(await page.textContent('[data-testid=problems]')));

  // Still usable: a post goes into the outbox and out to the relay.
  await page.fill('[data-testid=compose]', 'written while the relay misbehaves');
  await page.click('[data-testid=post]');
  await until('post accepted', async () => (await state(page)).posts.some((p) => p.mine && p.content === 'written while the relay misbehaves'));

  // A relay that claims a better tip than its headers show.
  await page.click('summary:has-text("Relay")');
  await page.fill('[data-testid=relay-input]', ws + '/liar/ws');
  await page.click('[data-testid=relay-form] button');
  const s2 = await until('lying tip noticed', async () => {
    const s = await state(page);
    return s && /claimed a best block .* at height 5000/.test(problems(s)) && s;
  });
  check(s2.tip.height === height, `synced the real headers (${s2.tip.height})`);

  // An honest relay: everything in order.
  await page.fill('[data-testid=relay-input]', ws + '/ws');
  await page.click('[data-testid=relay-form] button');
  const s3 = await until('synced with the honest relay', async () => {
    const s = await state(page);
    return s && s.conn === 'synced' && s.relay.endsWith('/ws') && !s.relay.includes('liar') && s;
  });
  check(s3.tip.height === height, `tip ${s3.tip.height}`);
});
