// postwork block miner: Web Workers, each with its own instance of
// postwork.wasm, search the nonces of the block template the light node
// builds (its view of the tip, the pending posts it knows, a coinbase paying
// the wallet's key). Worker k of n starts at k·2^64/n. A new tip, a found
// block or REFRESH_MS without either fetches a new template and restarts
// every worker; a found nonce goes back to the light node, which sends the
// block to the relay.
'use strict';

(function () {
  const SLICE = 1 << 18; // nonces per worker slice: ~0.1-0.2 s in Go wasm
  const REFRESH_MS = 10000; // new posts and the clock get into the template
  const WINDOW_MS = 5000; // hashrate averaging span
  const RETRY_MS = 1000; // after a template error (not synced yet)

  class Miner {
    // api: {template() → Promise<{id, header, prev, height, expected}>,
    //       submit(id, nonce) → Promise<hash>}; onChange() after each event.
    constructor(module, assets, api, onChange) {
      this.module = module;
      this.assets = assets;
      this.api = api;
      this.onChange = onChange || (() => {});
      this.workers = []; // promises of ready workers, grown on demand
      this.threads = 0; // workers in use while running
      this.throttle = 0;
      this.running = false;
      this.job = 0;
      this.template = null;
      this.samples = []; // [time ms, tries]
      this.startedAt = 0;
      this.found = 0;
      this.hashes = 0;
      this.error = '';
      this.timer = null;
      this.fetching = false;
    }

    makeWorker() {
      return new Promise((resolve, reject) => {
        const w = new Worker(this.assets.worker);
        w.onmessage = (ev) => {
          if (ev.data.type === 'ready') {
            w.onmessage = (e) => this.onMessage(e.data);
            resolve(w);
          } else reject(new Error(ev.data.message || 'worker failed to start'));
        };
        w.onerror = (ev) => { ev.preventDefault(); reject(new Error(ev.message || 'worker failed to load')); };
        w.postMessage({ type: 'init', module: this.module, wasmExec: new URL(this.assets.wasmExec, document.baseURI).href });
      });
    }

    // start mines on `threads` workers (created once, kept when stopped)
    // with the given throttle (0: flat out, 0.9: mine a tenth of the time).
    async start(threads, throttle) {
      this.threads = Math.max(1, Math.min(threads | 0, 64));
      this.running = true;
      this.startedAt = performance.now();
      this.samples = [];
      this.error = '';
      while (this.workers.length < this.threads) {
        const p = this.makeWorker();
        p.catch(() => {}); // reported by the await below
        this.workers.push(p);
      }
      try {
        await Promise.all(this.workers.slice(0, this.threads));
      } catch (err) {
        this.workers = [];
        this.running = false;
        this.error = String(err && err.message || err);
        this.onChange();
        throw err;
      }
      this.setThrottle(throttle);
      await this.restart();
    }

    stop() {
      this.running = false;
      this.cancelJob();
      this.template = null;
      clearTimeout(this.timer);
      this.samples = [];
      this.onChange();
    }

    setThrottle(t) {
      this.throttle = Math.min(0.95, Math.max(0, Number(t) || 0));
      for (const p of this.workers) p.then((w) => w.postMessage({ type: 'throttle', value: this.throttle }), () => {});
    }

    // tip tells the miner the best block the light node knows; work on
    // another parent is stale.
    tip(hash) {
      if (this.running && !this.fetching && this.template && hash && hash !== this.template.prev) this.restart();
    }

    cancelJob() {
      const job = this.job;
      for (const p of this.workers) p.then((w) => w.postMessage({ type: 'cancel', job }), () => {});
    }

    async restart() {
      this.cancelJob();
      const job = ++this.job;
      clearTimeout(this.timer);
      if (!this.running) return;
      let tpl;
      this.fetching = true; // tip() waits for this template instead of restarting again
      try {
        tpl = await this.api.template();
      } catch (err) {
        if (job !== this.job || !this.running) return;
        this.fetching = false;
        this.template = null;
        this.error = String(err && err.message || err);
        this.onChange();
        this.timer = setTimeout(() => this.restart(), RETRY_MS);
        return;
      }
      if (job !== this.job || !this.running) return;
      this.fetching = false;
      this.template = tpl;
      this.error = '';
      const workers = await Promise.all(this.workers.slice(0, this.threads));
      if (job !== this.job || !this.running) return;
      const span = (1n << 64n) / BigInt(workers.length);
      workers.forEach((w, k) => {
        w.postMessage({ type: 'mine', job, header: tpl.header, start: (span * BigInt(k)).toString(), slice: SLICE });
      });
      this.timer = setTimeout(() => this.restart(), REFRESH_MS);
      this.onChange();
    }

    onMessage(m) {
      if (m.job !== this.job || !this.running) return;
      if (m.type === 'mined' || m.type === 'block') {
        this.samples.push([performance.now(), m.tries]);
        this.hashes += m.tries;
      }
      if (m.type === 'block') {
        const tpl = this.template;
        this.cancelJob();
        this.job++; // the other workers' reports for this template are stale
        this.api.submit(tpl.id, m.nonce).then(() => {
          this.found++;
          this.error = '';
        }, (err) => {
          this.error = 'mined block: ' + String(err && err.message || err);
        }).finally(() => {
          this.onChange();
          this.restart();
        });
      } else if (m.type === 'error') {
        this.error = m.message;
        this.onChange();
      }
    }

    // hashrate is hashes per second over the last WINDOW_MS.
    hashrate() {
      if (!this.running) return 0;
      const now = performance.now();
      while (this.samples.length && this.samples[0][0] < now - WINDOW_MS) this.samples.shift();
      const span = Math.min(WINDOW_MS, now - this.startedAt) / 1000;
      if (span <= 0) return 0;
      let sum = 0;
      for (const s of this.samples) sum += s[1];
      return sum / span;
    }

    stats() {
      const rate = this.hashrate();
      const expected = this.template ? this.template.expected : 0;
      return {
        running: this.running,
        threads: this.running ? this.threads : 0,
        hashrate: rate,
        expected,
        etaSeconds: rate > 0 && expected > 0 ? expected / rate : Infinity,
        height: this.template ? this.template.height : 0,
        found: this.found,
        hashes: this.hashes,
        error: this.error,
      };
    }
  }

  // ---- the page's mining controls ----

  const BALANCE_MS = 15000;

  function fmtRate(r) {
    const units = ['H/s', 'kH/s', 'MH/s', 'GH/s'];
    let i = 0;
    while (r >= 1000 && i < units.length - 1) { r /= 1000; i++; }
    return `${r.toFixed(i ? 2 : 0)} ${units[i]}`;
  }

  function fmtDuration(s) {
    if (!isFinite(s)) return '–';
    if (s < 90) return `${Math.round(s)} s`;
    if (s < 5400) return `${Math.round(s / 60)} min`;
    if (s < 172800) return `${(s / 3600).toFixed(1)} h`;
    return `${Math.round(s / 86400)} days`;
  }

  // balanceURL is the relay's /api/balance for npub: the relay's origin
  // over HTTP(S). Only postwork relays (state.network set) have one, and it
  // is asked only once the user mines: a relay without the JSON API would
  // put a 404 in the console of every visitor.
  function balanceURL(state) {
    if (!state || !state.network || !state.npub || !state.relay) return null;
    try {
      const u = new URL(state.relay);
      u.protocol = u.protocol === 'wss:' ? 'https:' : 'http:';
      u.pathname = `/api/balance/${state.npub}`;
      u.search = '';
      return u.href;
    } catch (_) { return null; }
  }

  // setupPage wires the Mining section to a Miner once the module is
  // compiled; it returns {state(s)}, which the page calls on each new
  // light-node state (a new tip restarts the work). The controls live as
  // long as the page. Only the leading tab (wasm/js/tabs.js) mines: in the
  // others the controls act on the leader's miner and show its figures, so
  // the workers across tabs stay at the chosen thread count. A tab that
  // takes over resumes the mining the old leader did.
  function setupPage(module, assets) {
    const $ = globalThis.PostworkView.$;
    const tabs = globalThis.PostworkTabs;
    const text = (id, s) => { $(id).textContent = s; };
    let state = null;
    let balanceTimer = null;
    let shownFound = 0;
    let rewards = '–';
    let remote = null; // the leader's last figures, in a follower
    const miner = new Miner(module, assets, {
      template: () => globalThis.postwork.mineTemplate(),
      submit: (id, nonce) => globalThis.postwork.submitBlock(id, nonce),
    }, () => {
      draw();
      if (miner.found !== shownFound) { shownFound = miner.found; refreshBalance(); }
    });
    globalThis.postworkMiner = miner; // for tests and benchmarks

    const cores = navigator.hardwareConcurrency || 1;
    $('mine-threads').value = String(cores);
    $('mine-threads').max = String(Math.max(cores, 64));

    function figures() {
      if (!tabs.isLeader()) return remote || { running: false, threads: 0, hashrate: 0, found: 0, error: '', rewards };
      const st = miner.stats();
      st.throttle = miner.throttle;
      st.rewards = rewards;
      return st;
    }

    function draw() {
      const st = figures();
      text('hashrate', fmtRate(st.hashrate));
      text('mine-eta', st.running ? fmtDuration(st.etaSeconds) : '–');
      text('blocks-found', String(st.found));
      text('rewards', st.rewards);
      $('mine-start').hidden = st.running;
      $('mine-stop').hidden = !st.running;
      const where = tabs.isLeader() ? '' : ' in another tab';
      text('mine-status', st.error ? st.error
        : st.running ? `mining block ${st.height} on ${st.threads} worker${st.threads === 1 ? '' : 's'}${where}` : '');
      if (tabs.isLeader()) tabs.broadcast('mining', st);
    }

    async function refreshBalance() {
      const url = balanceURL(state);
      if (!url) return;
      try {
        const resp = await fetch(url, { headers: { Accept: 'application/json' } });
        if (!resp.ok) return;
        const b = await resp.json();
        rewards = `${b.coins} (${b.blocks} block${b.blocks === 1 ? '' : 's'})`;
        draw();
      } catch (_) { /* the relay is away: keep the last figure */ }
    }

    function startHere(threads, throttle) {
      clearInterval(balanceTimer);
      balanceTimer = setInterval(refreshBalance, BALANCE_MS);
      refreshBalance();
      const p = miner.start(threads, throttle);
      draw();
      return p.then(() => true, (err) => { draw(); throw err; });
    }
    function stopHere() {
      miner.stop();
      clearInterval(balanceTimer);
      draw();
      return true;
    }
    tabs.handle('mineStart', startHere);
    tabs.handle('mineStop', stopHere);
    tabs.handle('mineThrottle', (t) => { miner.setThrottle(t); draw(); return true; });
    tabs.on('mining', (st) => { if (!tabs.isLeader()) { remote = st; draw(); } });
    // A new leader resumes the mining of the old one.
    tabs.leading.then(() => {
      if (remote && remote.running) startHere(remote.threads, remote.throttle || 0).catch(() => {});
      remote = null;
    });

    const fail = (err) => text('mine-status', String(err && err.message || err));
    $('mine-start').addEventListener('click', () => {
      const threads = parseInt($('mine-threads').value, 10) || cores;
      tabs.call('mineStart', threads, $('mine-throttle').value / 100).catch(fail);
    });
    $('mine-stop').addEventListener('click', () => { tabs.call('mineStop').catch(fail); });
    $('mine-throttle').addEventListener('input', () => {
      text('mine-throttle-value', `${$('mine-throttle').value}%`);
      tabs.call('mineThrottle', $('mine-throttle').value / 100).catch(fail);
    });
    setInterval(() => { if (miner.running) draw(); }, 1000);

    return {
      state(s) {
        state = s;
        miner.tip(s.tip && s.tip.hash);
      },
    };
  }

  globalThis.PostworkMiner = Miner;
  globalThis.PostworkMining = { setupPage };
})();
