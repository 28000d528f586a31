// postwork page view: draws the light node's state. Everything that came
// from a relay or another user (post content, names, problems, notices) is
// set with textContent, never innerHTML, so markup in a post stays text.
'use strict';

(function () {
  const $ = (id) => document.querySelector(`[data-testid="${id}"]`);

  function text(el, s) {
    if (el && el.textContent !== s) el.textContent = s;
  }

  function el(tag, cls, testid) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (testid) e.dataset.testid = testid;
    return e;
  }

  function ago(seconds) {
    const d = Math.max(0, Math.floor(Date.now() / 1000 - seconds));
    if (d < 60) return `${d}s ago`;
    if (d < 3600) return `${Math.floor(d / 60)}m ago`;
    if (d < 86400) return `${Math.floor(d / 3600)}h ago`;
    return new Date(seconds * 1000).toLocaleDateString();
  }

  function statusText(p) {
    switch (p.status) {
      case 'confirmed': return `confirmed in block ${p.height} · ${p.confirmations} confirmation${p.confirmations === 1 ? '' : 's'} · signature and Merkle proof checked`;
      case 'pending': return 'pending: the relay has it, waiting for a block';
      case 'sending': return 'in the outbox: waiting for the relay to accept it';
      case 'rejected': return `refused by the relay: ${p.reason}`;
      default: return p.status;
    }
  }

  const posts = new Map(); // id → li

  function drawPost(li, p, onRemove) {
    li.dataset.status = p.status;
    li.className = `post ${p.status}${p.mine ? ' mine' : ''}`;
    if (!li.firstChild) {
      const head = el('div', 'head');
      const author = el('span', 'author', 'post-author');
      const time = el('span', 'time');
      head.append(author, time);
      const body = el('p', 'content', 'post-content');
      const status = el('div', 'status', 'post-status');
      const rm = el('button', 'remove', 'post-remove');
      rm.type = 'button';
      rm.textContent = 'remove';
      rm.addEventListener('click', () => onRemove(p.id));
      li.append(head, body, status, rm);
    }
    const [head, body, status] = li.children;
    text(head.children[0], p.author);
    head.children[0].title = p.authorNpub;
    text(head.children[1], ago(p.createdAt));
    text(body, p.content);
    text(status, statusText(p));
    li.children[3].hidden = !(p.status === 'rejected' || p.status === 'sending');
  }

  function render(s, onRemove) {
    text($('npub'), s.npub);
    text($('signer'), s.signer === 'extension' ? 'signing with your browser extension (NIP-07)' : 'key kept in this browser');
    let conn = s.conn;
    if (s.conn === 'closed' && s.retryAt) {
      conn += ` · retrying in ${Math.max(0, Math.ceil((s.retryAt - Date.now()) / 1000))}s`;
    }
    text($('conn'), conn);
    $('conn').dataset.state = s.conn;
    text($('conn-detail'), s.connDetail || '');
    text($('relay-url'), s.relay);
    text($('network'), s.network || '–');
    text($('tip'), s.network ? `${s.tip.height}` : '–');
    $('tip').title = s.tip.hash || '';
    text($('headers'), `${s.sync.headers}`);
    text($('storage'), s.storage || '');
    text($('notice'), s.notice ? `relay says: ${s.notice}` : '');

    const probs = $('problems');
    probs.replaceChildren(...s.problems.slice().reverse().map((pr) => {
      const li = el('li');
      li.textContent = `${new Date(pr.time * 1000).toLocaleTimeString()} ${pr.text}`;
      return li;
    }));

    const bits = $('bits');
    if (!bits.dataset.touched && s.minBits) bits.value = s.minBits;
    bits.min = s.minBits || 0;

    const feed = $('feed');
    const keep = new Set();
    let prev = null;
    for (const p of s.posts) {
      keep.add(p.id);
      let li = posts.get(p.id);
      if (!li) {
        li = el('li', 'post', 'post');
        li.dataset.id = p.id;
        posts.set(p.id, li);
      }
      drawPost(li, p, onRemove);
      const want = prev ? prev.nextSibling : feed.firstChild;
      if (want !== li) feed.insertBefore(li, want);
      prev = li;
    }
    for (const [id, li] of posts) {
      if (!keep.has(id)) { li.remove(); posts.delete(id); }
    }
    text($('feed-empty'), s.posts.length ? '' : 'No posts yet.');
  }

  globalThis.PostworkView = { render, $ };
})();
