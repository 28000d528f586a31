// nip07: a NIP-07 signer extension signs instead of the page. The extension
// is simulated with nostr-tools (the reference library) holding a key the
// page never sees; window.nostr calls it through Playwright.
//   node nip07.mjs PAGE_URL
import { finalizeEvent, generateSecretKey, getPublicKey, nip19, verifyEvent } from 'nostr-tools';
import { run, until, state, check } from './lib.mjs';

const url = process.argv[2];
const sk = generateSecretKey();
const pk = getPublicKey(sk);
const signed = [];

await run('nip07: the extension signs, the key never enters the page', async ({ context }) => {
  await context.exposeFunction('__nip07PublicKey', () => pk);
  await context.exposeFunction('__nip07Sign', (ev) => {
    const out = finalizeEvent({ kind: ev.kind, created_at: ev.created_at, tags: ev.tags, content: ev.content }, sk);
    signed.push(out);
    return out;
  });
  await context.addInitScript(() => {
    window.nostr = {
      getPublicKey: () => window.__nip07PublicKey(),
      signEvent: (ev) => window.__nip07Sign(ev),
    };
  });
  const page = await context.newPage();
  await page.goto(url);
  await until('synced', async () => (await state(page))?.conn === 'synced');
  await page.click('summary:has-text("Export or import your key")');
  await until('extension offered', () => page.isVisible('[data-testid=use-extension]'));
  await page.click('[data-testid=use-extension]');
  const s = await until('extension in use', async () => { const s = await state(page); return s.signer === 'extension' && s; });
  check(s.npub === nip19.npubEncode(pk), `npub is the extension's (${s.npub})`);

  await page.fill('[data-testid=compose]', 'signed by my extension');
  await page.click('[data-testid=post]');
  const p = await until('post pending', async () => {
    const q = (await state(page)).posts.find((x) => x.mine && x.content === 'signed by my extension');
    return q && q.status === 'pending' && q;
  });
  check(signed.length === 1 && signed[0].id === p.id && verifyEvent(signed[0]), 'the extension signed exactly the posted event');
  check(signed[0].tags.some((t) => t[0] === 'nonce'), 'NIP-13 work was done before signing');

  page.once('dialog', (d) => d.accept());
  await page.click('[data-testid=export-nsec]');
  await until('export refused', async () => /held by the signer extension/.test(await page.textContent('[data-testid=error]')));
  await page.reload();
  await until('extension kept after reload', async () => (await state(page))?.signer === 'extension');
});
