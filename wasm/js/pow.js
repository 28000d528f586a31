// postwork proof-of-work pool: Web Workers, each with its own wasm
// instance of the same module the page runs, share a NIP-13 search by
// splitting the 64-bit nonce space. Issue 6's block mining reuses the pool.
'use strict';

(function () {
  const SLICE = 1 << 16; // nonces per worker slice: ~50 ms in Go wasm

  class PowPool {
    constructor(module, assets, size) {
      this.module = module;
      this.assets = assets;
      this.size = Math.max(1, size | 0);
      this.workers = null;
      this.jobs = 0;
    }

    // start creates the workers once and resolves when all are ready.
    start() {
      if (!this.workers) {
        const make = () => new Promise((resolve, reject) => {
          const w = new Worker(this.assets.worker);
          w.onmessage = (ev) => {
            if (ev.data.type === 'ready') resolve(w);
            else reject(new Error(ev.data.message || 'worker failed to start'));
          };
          w.onerror = (ev) => { ev.preventDefault(); reject(new Error(ev.message || 'worker failed to load')); };
          w.postMessage({ type: 'init', module: this.module, wasmExec: new URL(this.assets.wasmExec, document.baseURI).href });
        });
        this.workers = Promise.all(Array.from({ length: this.size }, make)).catch((err) => {
          this.workers = null;
          throw err;
        });
      }
      return this.workers;
    }

    // run searches for a nonce giving `bits` leading zero bits. It returns
    // {promise, cancel}; promise resolves to {id, tags} or rejects with
    // 'cancelled'. onProgress(tries) is called as slices finish.
    run(template, bits, onProgress) {
      const job = ++this.jobs;
      let early = false;
      let cancel = () => { early = true; };
      const promise = this.start().then((workers) => new Promise((resolve, reject) => {
        if (early) { reject(new Error('cancelled')); return; }
        let tries = 0;
        let done = false;
        const finish = (fn, value) => {
          if (done) return;
          done = true;
          for (const w of workers) {
            w.postMessage({ type: 'cancel', job });
            w.onmessage = null;
          }
          fn(value);
        };
        cancel = () => finish(reject, new Error('cancelled'));
        const span = (1n << 64n) / BigInt(workers.length);
        workers.forEach((w, k) => {
          w.onmessage = (ev) => {
            const m = ev.data;
            if (m.job !== job) return;
            if (m.type === 'progress') { tries += m.tries; if (onProgress) onProgress(tries); }
            else if (m.type === 'found') finish(resolve, { id: m.id, tags: m.tags });
            else if (m.type === 'error') finish(reject, new Error(m.message));
          };
          w.postMessage({ type: 'pow', job, template, bits, start: (span * BigInt(k)).toString(), slice: SLICE });
        });
      }));
      return { promise, cancel: () => cancel() };
    }
  }

  globalThis.PostworkPowPool = PowPool;
})();
