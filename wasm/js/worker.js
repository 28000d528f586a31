// postwork Web Worker: runs its own instance of postwork.wasm and does
// proof-of-work jobs in slices, yielding to its event loop between slices
// so a cancel message is seen within one slice (tens of milliseconds).
//
// Messages in:  {type:'init', module, wasmExec}
//               {type:'pow', job, template, bits, start, slice}
//               {type:'cancel', job}
// Messages out: {type:'ready'} | {type:'error', job?, message}
//               {type:'progress', job, tries} | {type:'found', job, id, tags}
//               {type:'cancelled', job}
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

self.onmessage = (ev) => {
  const msg = ev.data;
  const fail = (err) => self.postMessage({ type: 'error', job: msg.job, message: String(err && err.message || err) });
  switch (msg.type) {
    case 'init': init(msg).catch(fail); break;
    case 'pow': pow(msg).catch(fail); break;
    case 'cancel': cancelled.add(msg.job); break;
    default: fail(new Error('unknown message ' + msg.type));
  }
};
