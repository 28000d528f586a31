// client.mjs: Nostr clients against the relay running in wrangler dev.
// A subscriber opens a live REQ; a publisher (nostr-tools signing and
// NIP-13 mining, raw WebSocket frames) sends a post with the relay's work
// (OK true, and the subscriber gets it live), the same post with a broken
// signature (OK false "invalid:"), and a malformed frame (a NOTICE, after
// which the connection still answers a REQ with the post and EOSE).
//
//   node tests/worker/client.mjs ws://127.0.0.1:PORT/ws
//
// Prints one JSON line with what it saw; exits 1 with a message on failure.
import WebSocket from 'ws'
import { finalizeEvent, generateSecretKey, getPublicKey } from 'nostr-tools/pure'
import { minePow, getPow } from 'nostr-tools/nip13'
import { fetchRelayInformation } from 'nostr-tools/nip11'

const url = process.argv[2]
if (!url) {
  console.error('usage: node tests/worker/client.mjs ws://HOST:PORT/ws')
  process.exit(2)
}
const fail = (msg) => {
  console.error(`client: ${msg}`)
  process.exit(1)
}
setTimeout(() => fail('gave up after 30s'), 30000).unref()

// A connection whose frames are awaited by a predicate.
async function connect() {
  const ws = new WebSocket(url)
  const frames = []
  let waiters = []
  ws.on('message', (data) => {
    let m
    try {
      m = JSON.parse(data.toString())
    } catch {
      fail(`relay sent a frame that is not JSON: ${data}`)
    }
    frames.push(m)
    waiters = waiters.filter((w) => !w(m))
  })
  ws.on('close', (code, reason) => waiters.forEach(() => fail(`connection closed (${code} ${reason}) while waiting`)))
  await new Promise((resolve, reject) => {
    ws.once('open', resolve)
    ws.once('error', reject)
  })
  return {
    send: (x) => ws.send(typeof x === 'string' ? x : JSON.stringify(x)),
    // next resolves with the first frame, already received or to come,
    // that pred accepts, and removes it.
    next: (pred, what) =>
      new Promise((resolve) => {
        const i = frames.findIndex(pred)
        if (i >= 0) return resolve(frames.splice(i, 1)[0])
        const t = setTimeout(() => fail(`no ${what} within 10s; frames: ${JSON.stringify(frames)}`), 10000)
        waiters.push((m) => {
          if (!pred(m)) return false
          frames.splice(frames.indexOf(m), 1)
          clearTimeout(t)
          resolve(m)
          return true
        })
      }),
    close: () => ws.close(),
  }
}

const info = await fetchRelayInformation(url)
const bits = info.limitation?.min_pow_difficulty
if (!(bits > 0)) fail(`NIP-11 min_pow_difficulty is ${bits}: ${JSON.stringify(info)}`)
if (!info.postwork?.network) fail(`NIP-11 names no postwork network: ${JSON.stringify(info)}`)

const sk = generateSecretKey()
const pubkey = getPublicKey(sk)
const now = () => Math.floor(Date.now() / 1000)

// The subscriber asks for live posts of this author only.
const sub = await connect()
sub.send(['REQ', 'live', { authors: [pubkey], kinds: [1], limit: 0 }])
await sub.next((m) => m[0] === 'EOSE' && m[1] === 'live', 'EOSE for the live subscription')

const pub = await connect()
const post = finalizeEvent(
  minePow({ kind: 1, created_at: now(), tags: [['t', 'worker']], content: 'hello from a Durable Object', pubkey }, bits),
  sk,
)
pub.send(['EVENT', post])
const ok = await pub.next((m) => m[0] === 'OK' && m[1] === post.id, 'OK for the post')
if (ok[2] !== true) fail(`post refused: ${JSON.stringify(ok)}`)
const live = await sub.next((m) => m[0] === 'EVENT' && m[1] === 'live', 'live delivery of the post')
if (live[2].id !== post.id || live[2].sig !== post.sig) fail(`subscriber got another event: ${JSON.stringify(live)}`)

// The same content signed by nobody: flip one byte of the signature.
let forged
do {
  forged = finalizeEvent(minePow({ kind: 1, created_at: now(), tags: [], content: `forged ${Math.random()}`, pubkey }, bits), sk)
} while (getPow(forged.id) < bits)
const sig = forged.sig
forged = { ...forged, sig: (sig[0] === '0' ? '1' : '0') + sig.slice(1) }
pub.send(['EVENT', forged])
const bad = await pub.next((m) => m[0] === 'OK' && m[1] === forged.id, 'OK for the forged post')
if (bad[2] !== false || !String(bad[3]).startsWith('invalid:')) fail(`forged post answered ${JSON.stringify(bad)}`)

// A malformed frame gets a NOTICE; the connection keeps working.
pub.send('["EVENT", {"id": 12')
const notice = await pub.next((m) => m[0] === 'NOTICE', 'NOTICE for the malformed frame')
pub.send(['REQ', 'back', { ids: [post.id] }])
const back = await pub.next((m) => m[0] === 'EVENT' && m[1] === 'back', 'the post read back')
await pub.next((m) => m[0] === 'EOSE' && m[1] === 'back', 'EOSE after the post')
if (back[2].id !== post.id) fail(`REQ by id returned ${JSON.stringify(back)}`)

pub.close()
sub.close()
console.log(JSON.stringify({ ok: true, id: post.id, pow: getPow(post.id), min_pow: bits, forged: bad[3], notice: notice[1], network: info.postwork.network }))
process.exit(0)
