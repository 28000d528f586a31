// The postwork relay on Cloudflare Workers: the fetch entry and the Durable
// Object that holds the WebSockets (hibernation API). Everything the relay
// decides happens in Go (app.wasm, built from relay/worker): this file only
// starts one Go instance per Durable Object and hands it sockets and
// frames through the functions Go puts on `binding`.
//
// `make worker` copies this file, app.wasm and syumai/workers' wasm_exec.js
// (Go's loader, passing a runtime context to the program) into build/worker.
import './wasm_exec.js'
import mod from './app.wasm'
import { DurableObject } from 'cloudflare:workers'

const NIP11 = 'application/nostr+json'
const cors = { 'Access-Control-Allow-Origin': '*' }

// postID is the id of a GET /api/posts/{id} (what a light node asks a
// postwork relay to confirm a post from an older block), else null.
function postID(request) {
  if (request.method !== 'GET' || request.headers.get('Upgrade') === 'websocket') return null
  const m = /^\/api\/posts\/([^/]*)$/.exec(new URL(request.url).pathname)
  return m ? m[1] : null
}

// A socket as Go sees it: send and close never throw (a closed socket
// reports false), and a close reason fits in a close frame.
function wrap(ws) {
  return {
    send(text) {
      try {
        ws.send(text)
        return true
      } catch {
        return false
      }
    },
    close(code, reason) {
      try {
        ws.close(code, new TextEncoder().encode(reason).length > 123 ? reason.slice(0, 60) : reason)
      } catch {}
    },
  }
}

export class Relay extends DurableObject {
  constructor(ctx, env) {
    super(ctx, env)
    this.go = {}
    const go = (this.runtime = new Go())
    // Go's main runs until it blocks, having filled this.go.
    go.run(new WebAssembly.Instance(mod, go.importObject), { env, ctx, binding: this.go, storage: ctx.storage })
    if (!this.go.open) throw new Error('postwork relay did not start (see the log)')
    // Sockets that stayed open while the object hibernated.
    for (const ws of ctx.getWebSockets()) {
      const a = ws.deserializeAttachment()
      if (a?.id) this.go.restore(a.id, a.ip, wrap(ws))
    }
    this.go.restored()
  }

  async fetch(request) {
    const post = postID(request)
    if (post !== null) {
      const [status, body] = this.go.post(post)
      return new Response(body, { status, headers: { 'Content-Type': 'application/json', ...cors } })
    }
    if (request.headers.get('Upgrade') !== 'websocket') {
      return new Response(this.go.info(), { headers: { 'Content-Type': NIP11, Vary: 'Accept', ...cors } })
    }
    const { 0: client, 1: server } = new WebSocketPair()
    const id = crypto.randomUUID()
    const ip = request.headers.get('CF-Connecting-IP') ?? 'unknown'
    this.ctx.acceptWebSocket(server)
    server.serializeAttachment({ id, ip })
    this.go.open(id, ip, wrap(server)) // a refusal closes the socket with its reason
    return new Response(null, { status: 101, webSocket: client })
  }

  webSocketMessage(ws, message) {
    const text = typeof message === 'string' ? message : new TextDecoder().decode(message)
    try {
      this.go.message(ws.deserializeAttachment().id, text)
    } catch (err) {
      // Go never panics on input by design; if it ever exits, start the
      // object again instead of failing every later message.
      if (this.runtime.exited) this.ctx.abort?.('postwork relay stopped: ' + err)
      throw err
    }
  }

  webSocketClose(ws, code) {
    this.go.closed(ws.deserializeAttachment().id)
    try {
      ws.close(code === 1005 || code === 1006 ? 1000 : code, 'closing')
    } catch {}
  }

  webSocketError(ws) {
    this.go.closed(ws.deserializeAttachment().id)
  }
}

export default {
  // One relay per deployment: every request goes to the Durable Object
  // named "relay", except what needs no Go at all.
  async fetch(request, env) {
    const upgrade = request.headers.get('Upgrade') === 'websocket'
    const wantsInfo = (request.headers.get('Accept') ?? '').includes(NIP11)
    if (request.method === 'OPTIONS' && request.headers.get('Access-Control-Request-Method')) {
      return new Response(null, {
        status: 204,
        headers: { ...cors, 'Access-Control-Allow-Headers': 'Accept', 'Access-Control-Allow-Methods': 'GET' },
      })
    }
    if (upgrade || postID(request) !== null || (wantsInfo && (request.method === 'GET' || request.method === 'HEAD'))) {
      return env.RELAY.get(env.RELAY.idFromName('relay')).fetch(request)
    }
    return new Response('postwork relay: connect a WebSocket (NIP-01) to /ws; ask any path with Accept: application/nostr+json for NIP-11\n', {
      status: 404,
      headers: { 'Content-Type': 'text/plain; charset=utf-8', ...cors },
    })
  },
}
