// nostr-client.mjs: a real Nostr client (nostr-tools, unchanged) against a
// postwork relay. It reads the relay's NIP-11 document, mines a NIP-13 post
// at the relay's min_pow_difficulty, publishes it (the relay must answer OK
// true), checks that a post with too little work is refused with "pow:",
// then reads the post back through REQ and checks it.
//
//   node scripts/nostr-client.mjs ws://127.0.0.1:PORT/ws
//
// Prints one JSON line with what it did; exits 1 with a message on any failure.
import WebSocket from 'ws'
import { finalizeEvent, generateSecretKey, getPublicKey, verifyEvent } from 'nostr-tools/pure'
import { minePow, getPow } from 'nostr-tools/nip13'
import { fetchRelayInformation } from 'nostr-tools/nip11'
import { Relay, useWebSocketImplementation } from 'nostr-tools/relay'

useWebSocketImplementation(WebSocket) // Node 20 has no global WebSocket

const url = process.argv[2]
if (!url) {
  console.error('usage: node scripts/nostr-client.mjs ws://HOST:PORT/ws')
  process.exit(2)
}
const fail = (msg) => {
  console.error(`nostr-client: ${msg}`)
  process.exit(1)
}
setTimeout(() => fail('gave up after 30s'), 30000).unref()

const info = await fetchRelayInformation(url)
if (!info.supported_nips?.includes(13)) fail(`NIP-11 document does not list NIP-13: ${JSON.stringify(info)}`)
const bits = info.limitation?.min_pow_difficulty ?? 0

const sk = generateSecretKey()
const pubkey = getPublicKey(sk)
const now = () => Math.floor(Date.now() / 1000)
const relay = await Relay.connect(url)

// A post mined to the relay's difficulty is accepted.
const post = finalizeEvent(
  minePow({ kind: 1, created_at: now(), tags: [['t', 'postwork']], content: 'hello from nostr-tools', pubkey }, bits),
  sk,
)
await relay.publish(post) // rejects unless OK true

// One without the work is refused, and says why.
let refused = ''
if (bits > 0) {
  let weak
  do {
    weak = finalizeEvent({ kind: 1, created_at: now(), tags: [], content: `too little work ${Math.random()}`, pubkey }, sk)
  } while (getPow(weak.id) >= bits)
  try {
    await relay.publish(weak)
    fail('a post without enough work was accepted')
  } catch (err) {
    refused = String(err.message ?? err)
    if (!refused.startsWith('pow:')) fail(`weak post refused without the pow: prefix: ${refused}`)
  }
}

// Read it back.
const got = await new Promise((resolve, reject) => {
  const found = []
  const sub = relay.subscribe([{ ids: [post.id] }, { authors: [pubkey], '#t': ['postwork'], limit: 10 }], {
    onevent: (ev) => found.push(ev),
    oneose: () => {
      resolve(found) // before close: close calls onclose
      sub.close()
    },
    onclose: (reason) => reject(new Error(`subscription closed: ${reason}`)),
  })
})
relay.close()
if (got.length !== 1) fail(`REQ returned ${got.length} events, want the one post once`)
const ev = got[0]
if (ev.id !== post.id || ev.sig !== post.sig || ev.content !== post.content) fail(`REQ returned another event: ${JSON.stringify(ev)}`)
if (!verifyEvent(ev)) fail('the event read back does not verify')
if (getPow(ev.id) < bits) fail(`event has ${getPow(ev.id)} bits of work, relay asks ${bits}`)
console.log(JSON.stringify({ ok: true, id: ev.id, pow: getPow(ev.id), min_pow: bits, refused }))
process.exit(0)
