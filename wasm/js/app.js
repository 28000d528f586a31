// postwork page script: loads postwork.wasm (the light node), gives it the
// relay URL, draws its state, runs proof of work in Web Workers, and wires
// the page's controls to globalThis.postwork, which the wasm installs.
'use strict';

(function () {
  const { render, $ } = globalThis.PostworkView;
  const marks = (globalThis.postworkMarks = { start: performance.now() });
  const assets = JSON.parse(document.getElementById('postwork-assets').textContent);

  // The relay: ?relay=, else the saved setting, else this origin's /ws.
  function defaultRelay() {
    return `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}/ws`;
  }
  const params = new URLSearchParams(location.search);
  let saved = null;
  try { saved = localStorage.getItem('postwork.relay'); } catch (_) { /* storage disabled */ }
  const relay = params.get('relay') || saved || defaultRelay();

  function showError(where, err) {
    text($('error'), `${where}: ${err && err.message ? err.message : err}`);
  }
  function text(el, s) { el.textContent = s; }

  let pool = null;
  let powJob = null;
  let powQueue = Promise.resolve();
  let state = null;
  let mining = null; // the Mining section (wasm/js/mine.js)

  function onState(json) {
    state = JSON.parse(json);
    if (!marks.keyReady && state.npub) marks.keyReady = performance.now();
    if (!marks.synced && state.sync.synced) marks.synced = performance.now();
    render(state, (id) => globalThis.postwork.removePost(id).catch((e) => showError('remove', e)));
    if (mining) mining.state(state);
  }

  // showPow draws the NIP-13 progress and the Cancel button; the leader
  // shows it in every tab, since posts from all tabs are worked on here.
  let powShared = 0;
  function showPow(msg, working) {
    text($('pow-progress'), msg);
    $('cancel').hidden = !working;
    const now = performance.now();
    if (!working || now - powShared > 100) {
      powShared = now;
      globalThis.PostworkTabs.broadcast('pow', { msg, working });
    }
  }
  globalThis.PostworkTabs.on('pow', ({ msg, working }) => {
    if (globalThis.PostworkTabs.isLeader()) return;
    text($('pow-progress'), msg);
    $('cancel').hidden = !working;
  });
  globalThis.PostworkTabs.handle('cancelPow', () => { if (powJob) powJob.cancel(); return true; });

  function powProgress(bits, started) {
    const expected = 2 ** bits;
    return (tries) => {
      const secs = (performance.now() - started) / 1000;
      const rate = secs > 0 ? tries / secs : 0;
      showPow(`working: ${tries.toLocaleString()} of about ${expected.toLocaleString()} tries · ${Math.round(rate).toLocaleString()}/s`, true);
    };
  }

  globalThis.postworkHost = {
    relay,
    // The leading tab's state goes to the other tabs too (wasm/js/tabs.js).
    state: (json) => { globalThis.PostworkTabs.publishState(json); onState(json); },
    fatal: (msg) => showError('the light node stopped', msg),
    ready: () => { marks.wasmReady = performance.now(); globalThis.PostworkTabs.ready(); },
    // pow runs the NIP-13 search for the wasm; the Cancel button rejects it.
    // One search at a time: the pool runs one job, and posts from other
    // tabs (wasm/js/tabs.js) arrive while one is running.
    pow(template, bits) {
      if (!pool) return Promise.reject(new Error('proof-of-work workers are not ready'));
      const run = () => {
        const started = performance.now();
        powJob = pool.run(template, bits, powProgress(bits, started));
        showPow('starting workers…', true);
        return powJob.promise.finally(() => {
          powJob = null;
          $('cancel').hidden = true;
          globalThis.PostworkTabs.broadcast('pow', { msg: '', working: false });
        });
      };
      const p = powQueue.then(run, run);
      powQueue = p.catch(() => {});
      return p;
    },
  };

  async function compile(url) {
    try {
      return await WebAssembly.compileStreaming(fetch(url));
    } catch (err) {
      // Static hosts that serve .wasm without application/wasm: compile
      // from bytes instead.
      const resp = await fetch(url);
      if (!resp.ok) throw new Error(`${url}: ${resp.status} ${resp.statusText}`);
      return WebAssembly.compile(await resp.arrayBuffer());
    }
  }

  async function start() {
    const module = await compile(assets.wasm);
    marks.compiled = performance.now();
    pool = new globalThis.PostworkPowPool(module, assets, Math.min(navigator.hardwareConcurrency || 1, 8));
    mining = globalThis.PostworkMining.setupPage(module, assets);
    // One light node per browser: a follower tab waits here, showing the
    // leader's state, until it leads.
    await globalThis.PostworkTabs.start(onState);
    marks.leading = performance.now();
    const go = new Go();
    const instance = await WebAssembly.instantiate(module, go.importObject);
    go.run(instance).then(() => showError('the light node', 'stopped'));
  }

  // ---- controls ----

  $('relay-input').value = relay;
  $('relay-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    const url = $('relay-input').value.trim();
    if (!/^wss?:\/\/[^\s]+$/.test(url)) {
      showError('relay', 'the address must start with ws:// or wss://');
      return;
    }
    try { localStorage.setItem('postwork.relay', url); } catch (_) { /* not kept */ }
    text($('error'), '');
    globalThis.postwork.setRelay(url);
  });

  $('bits').addEventListener('input', () => { $('bits').dataset.touched = '1'; });

  $('compose-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const content = $('compose').value;
    const bits = parseInt($('bits').value, 10) || 0;
    $('post').disabled = true;
    text($('error'), '');
    try {
      await globalThis.postwork.post(content, bits);
      $('compose').value = '';
      text($('pow-progress'), 'signed and sent');
    } catch (err) {
      text($('pow-progress'), '');
      if (err.message !== 'cancelled') showError('post', err);
      else text($('pow-progress'), 'cancelled');
    } finally {
      $('post').disabled = false;
    }
  });
  $('cancel').addEventListener('click', () => {
    if (powJob) powJob.cancel();
    else globalThis.PostworkTabs.call('cancelPow').catch(() => {}); // the search runs in the leading tab
  });

  $('export-ncryptsec').addEventListener('click', async () => {
    const pass = $('export-pass').value;
    text($('export-out'), 'encrypting (scrypt, about a second)…');
    try {
      text($('export-out'), await globalThis.postwork.exportNcryptsec(pass));
    } catch (err) {
      text($('export-out'), '');
      showError('export', err);
    }
  });
  $('export-nsec').addEventListener('click', async () => {
    if (!confirm('Anyone who sees your nsec can post as you, forever. Show it?')) return;
    try {
      text($('export-out'), await globalThis.postwork.exportNsec());
    } catch (err) { showError('export', err); }
  });
  $('import-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    text($('import-out'), 'importing…');
    try {
      const npub = await globalThis.postwork.importKey($('import-key').value, $('import-pass').value);
      $('import-key').value = '';
      $('import-pass').value = '';
      text($('import-out'), `now posting as ${npub}`);
    } catch (err) {
      text($('import-out'), '');
      showError('import', err);
    }
  });
  $('use-extension').addEventListener('click', async () => {
    try {
      const npub = await globalThis.postwork.useExtension();
      text($('import-out'), `now signing with the extension as ${npub}`);
    } catch (err) { showError('extension', err); }
  });
  // Extensions inject window.nostr shortly after load.
  setTimeout(() => { $('use-extension').hidden = !globalThis.nostr; }, 500);

  start().catch((err) => showError('loading the light node', err));
})();
