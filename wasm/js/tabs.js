// postwork tabs: one light node per browser. The tab holding the Web Lock
// "postwork-leader" runs the wasm light node: it alone holds the relay
// WebSocket, writes IndexedDB and mines. The other tabs (followers) run no
// node: globalThis.postwork is a proxy that forwards each call to the leader
// over the BroadcastChannel "postwork" and returns the leader's answer, and
// they draw the state the leader broadcasts. The lock is held for the tab's
// life; when the leader closes, the browser grants it to the next tab,
// which starts the node from the same IndexedDB (headers, feed, outbox,
// key), so nothing written is lost.
//
// Messages (all carry `from`, the sender's tab id):
//   {type:'who'}                          a follower asks for the leader
//   {type:'leader'}                       the sender leads and is ready
//   {type:'state', json}                  the leader's light-node state
//   {type:'call', id, fn, args}           follower → leader
//   {type:'reply', to, id, ok, value|error}
//   {type:'event', kind, data}            anything else a part broadcasts
'use strict';

(function () {
  const LOCK = 'postwork-leader';
  const CHANNEL = 'postwork';
  // Calls whose repetition would do something twice: one in flight when
  // the leader goes is rejected rather than sent to the next leader. A
  // post is not among them: the proxy fixes its created_at, and the node
  // answers a repeated post with the one it filed (wasm/page_js.go).
  const ONCE = new Set([]);
  // The light node's API (wasm/page_js.go) as followers see it.
  const API = ['post', 'exportNsec', 'exportNcryptsec', 'importKey', 'useExtension', 'removePost', 'mineTemplate', 'submitBlock'];

  const me = (crypto.randomUUID && crypto.randomUUID()) || String(Math.random()).slice(2);
  let channel = null;
  let role = 'starting'; // follower, leader (lock held, node starting), ready
  let leaderId = null;
  let lastState = null;
  let onState = () => {};
  let nextCall = 0;
  const pending = new Map(); // id → {fn, args, resolve, reject, sentTo}
  const queued = []; // calls to run here once this tab's node is ready
  const handlers = new Map(); // leader-side handlers beside the node's API
  const listeners = new Map(); // kind → [fn]
  let becameLeader = null;
  const leading = new Promise((resolve) => { becameLeader = resolve; });

  function post(msg) {
    msg.from = me;
    if (channel) channel.postMessage(msg);
  }

  function send(id) {
    const c = pending.get(id);
    if (!c || !leaderId) return;
    c.sentTo = leaderId;
    post({ type: 'call', id, fn: c.fn, args: c.args });
  }

  // call runs fn on the leader (here, if this tab leads) and resolves with
  // its answer.
  function call(fn, ...args) {
    if (role === 'ready') return runHere(fn, args);
    if (role === 'leader') return new Promise((resolve, reject) => queued.push({ fn, args, resolve, reject }));
    const id = `${me}:${++nextCall}`;
    return new Promise((resolve, reject) => {
      pending.set(id, { fn, args, resolve, reject, sentTo: null });
      send(id);
    });
  }

  async function runHere(fn, args) {
    const h = handlers.get(fn);
    if (h) return h(...args);
    const api = globalThis.postwork;
    if (!api || typeof api[fn] !== 'function' || (!API.includes(fn) && fn !== 'setRelay')) {
      throw new Error(`unknown call ${fn}`);
    }
    return api[fn](...args);
  }

  // A new leader: calls sent to the old one are sent again, except those
  // that must not run twice.
  function newLeader(id) {
    if (id === leaderId) return;
    leaderId = id;
    for (const [cid, c] of pending) {
      if (c.sentTo && ONCE.has(c.fn)) {
        pending.delete(cid);
        c.reject(new Error('the tab that was sending this closed; check the feed before trying again'));
      } else send(cid);
    }
  }

  function onMessage(ev) {
    const m = ev.data;
    if (!m || m.from === me) return;
    switch (m.type) {
      case 'who':
        if (role === 'ready') { post({ type: 'leader' }); if (lastState) post({ type: 'state', json: lastState }); }
        break;
      case 'leader':
        if (role === 'follower') newLeader(m.from);
        break;
      case 'state':
        if (role === 'follower' && m.from === leaderId) { lastState = m.json; onState(m.json); }
        break;
      case 'call':
        if (role === 'ready') {
          runHere(m.fn, m.args).then(
            (value) => post({ type: 'reply', to: m.from, id: m.id, ok: true, value }),
            (err) => post({ type: 'reply', to: m.from, id: m.id, ok: false, error: String(err && err.message || err) }));
        }
        break;
      case 'reply': {
        if (m.to !== me) return;
        const c = pending.get(m.id);
        if (!c) return;
        pending.delete(m.id);
        if (m.ok) c.resolve(m.value); else c.reject(new Error(m.error));
        break;
      }
      case 'event':
        for (const fn of listeners.get(m.kind) || []) fn(m.data, m.from);
        break;
    }
  }

  // The follower's globalThis.postwork: the node's API, forwarded.
  function installProxy() {
    const proxy = {};
    for (const fn of API) proxy[fn] = (...args) => call(fn, ...args);
    proxy.post = (content, bits) => call('post', content, bits, Math.floor(Date.now() / 1000));
    proxy.setRelay = (url) => { call('setRelay', url).catch(() => {}); };
    proxy.state = () => lastState;
    globalThis.postwork = proxy;
  }

  const Tabs = {
    me,
    // start joins this browser's tabs. setState(json) draws a state
    // (followers get the leader's). It resolves when this tab leads: at
    // once where Web Locks or BroadcastChannel are missing (each tab is
    // then its own node, as before issue 6).
    start(setState) {
      onState = setState;
      if (!globalThis.BroadcastChannel || !navigator.locks) {
        role = 'leader';
        becameLeader();
        return leading;
      }
      channel = new BroadcastChannel(CHANNEL);
      channel.onmessage = onMessage;
      role = 'follower';
      installProxy();
      post({ type: 'who' });
      // The callback's promise never settles: the lock is held until the
      // tab closes, when the browser releases it for the next tab.
      navigator.locks.request(LOCK, () => {
        role = 'leader';
        leaderId = me;
        becameLeader();
        return new Promise(() => {});
      });
      return leading;
    },

    // ready is called by the leader once the wasm installed the real
    // globalThis.postwork: queued and forwarded calls run here from now.
    ready() {
      if (role === 'ready') return;
      role = 'ready';
      for (const q of queued.splice(0)) runHere(q.fn, q.args).then(q.resolve, q.reject);
      for (const [cid, c] of pending) {
        pending.delete(cid);
        if (c.sentTo && ONCE.has(c.fn)) c.reject(new Error('the tab that was sending this closed; check the feed before trying again'));
        else runHere(c.fn, c.args).then(c.resolve, c.reject);
      }
      post({ type: 'leader' });
    },

    // publishState sends the leader's state to the followers.
    publishState(json) {
      lastState = json;
      if (role === 'ready' || role === 'leader') post({ type: 'state', json });
    },

    isLeader() { return role === 'leader' || role === 'ready'; },
    role() { return role; },
    leading,
    call,
    // handle registers fn as the leader's answer to call(name, ...).
    handle(name, fn) { handlers.set(name, fn); },
    // broadcast sends data to every other tab's on(kind) listeners.
    broadcast(kind, data) { post({ type: 'event', kind, data }); },
    on(kind, fn) {
      if (!listeners.has(kind)) listeners.set(kind, []);
      listeners.get(kind).push(fn);
    },
  };

  globalThis.PostworkTabs = Tabs;
})();
