// postwork Web Worker: runs its own instance of postwork.wasm and does
// proof-of-work jobs in slices, yielding to its event loop between slices
// so a cancel message is seen within one slice (tens of milliseconds).
//
// Messages in:  {type:'init', module, wasmExec}
//               {type:'pow', job, template, bits, start, slice}
//               {type:'cancel', job}
//               {type:'mine', job, header, start, slice} | {type:'throttle', value}
// Messages out: {type:'ready'} | {type:'error', job?, message}
//               {type:'progress', job, tries} | {type:'found', job, id, tags}
//               {type:'cancelled', job}
//               {type:'mined', job, tries} | {type:'block', job, nonce, tries}
'use strict';

let api = null;
const cancelled = new Set();

// yieldNow lets queued messages run: a MessageChannel task, which unlike
// setTimeout is not clamped to 4 ms.
const channel = new MessageChannel();
const waiting = [];
channel.port1.onmessage = () => { const r = waiting.shift(); if (r) r(); };
function yieldNow() {
  return new Promise((resolve) => { waiting.push(resolve); channel.port2.postMessage(null); });
}

async function init(msg) {
  importScripts(msg.wasmExec);
  const go = new Go();
  const ready = new Promise((resolve) => { self.postworkWorkerReady = resolve; });
  const instance = await WebAssembly.instantiate(msg.module, go.importObject);
  go.run(instance).then(() => {
    self.postMessage({ type: 'error', message: 'the worker program exited' });
  });
  await ready;
  api = self.postworkWorker;
  self.postMessage({ type: 'ready' });
}

async function pow(msg) {
  let next = msg.start;
  for (;;) {
    if (cancelled.delete(msg.job)) {
      self.postMessage({ type: 'cancelled', job: msg.job });
      return;
    }
    const r = api.pow(msg.template, msg.bits, next, msg.slice);
    if (r.error) {
      self.postMessage({ type: 'error', job: msg.job, message: r.error });
      return;
    }
    if (r.found) {
      self.postMessage({ type: 'found', job: msg.job, id: r.id, tags: r.tags });
      return;
    }
    next = r.next;
    self.postMessage({ type: 'progress', job: msg.job, tries: msg.slice });
    await yieldNow();
  }
}

// mine searches block nonces for wasm/js/mine.js: slices of msg.slice
// nonces of the 96-byte header from msg.start, a progress message after
// each, and after each slice an idle pause that keeps the share of time
// spent mining at 1 - throttle.
let throttle = 0;
async function mine(msg) {
  let next = msg.start;
  for (;;) {
    if (cancelled.delete(msg.job)) {
      self.postMessage({ type: 'cancelled', job: msg.job });
      return;
    }
    const t0 = performance.now();
    const r = api.mine(msg.header, next, msg.slice);
    if (r.error) {
      self.postMessage({ type: 'error', job: msg.job, message: r.error });
      return;
    }
    if (r.found) {
      self.postMessage({ type: 'block', job: msg.job, nonce: r.nonce, tries: msg.slice });
      return;
    }
    next = r.next;
    self.postMessage({ type: 'mined', job: msg.job, tries: msg.slice });
    const busy = performance.now() - t0;
    if (throttle > 0) await new Promise((resolve) => setTimeout(resolve, busy * throttle / (1 - throttle)));
    else await yieldNow();
  }
}

self.onmessage = (ev) => {
  const msg = ev.data;
  const fail = (err) => self.postMessage({ type: 'error', job: msg.job, message: String(err && err.message || err) });
  switch (msg.type) {
    case 'init': init(msg).catch(fail); break;
    case 'pow': pow(msg).catch(fail); break;
    case 'cancel': cancelled.add(msg.job); break;
    case 'mine': mine(msg).catch(fail); break;
    case 'throttle': throttle = Math.min(0.95, Math.max(0, Number(msg.value) || 0)); break;
    default: fail(new Error('unknown message ' + msg.type));
  }
};
