// Helpers shared by the collaboration interop scripts: real yjs and
// y-websocket clients over the ws package. Each script prints one JSON
// object on stdout; diagnostics go to stderr.
import * as Y from 'yjs'
import { WebsocketProvider } from 'y-websocket'
import WebSocket from 'ws'

export { Y, WebsocketProvider, WebSocket }

// connect opens a provider for room on the server at base (http://host:port/),
// the way the frontend does: base + "ws". BroadcastChannel is disabled so
// clients of one process only meet through the server.
export function connect (base, room, params = {}) {
  const doc = new Y.Doc()
  const provider = new WebsocketProvider(base.replace(/^http/, 'ws') + 'ws', room, doc, {
    WebSocketPolyfill: WebSocket,
    disableBc: true,
    params
  })
  return { doc, provider, text: doc.getText() }
}

// waitFor polls cond every 20 ms until it holds or ms pass.
export async function waitFor (cond, ms, what) {
  const end = Date.now() + ms
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting for ' + what)
    await sleep(20)
  }
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

export const synced = (c, ms = 10000) => waitFor(() => c.provider.synced, ms, 'sync')

// randomEdit inserts or deletes a few characters at a random place.
export function randomEdit (c, rnd, tag) {
  const t = c.text
  if (t.length > 5 && rnd() < 0.3) {
    const at = Math.floor(rnd() * (t.length - 1))
    t.delete(at, 1 + Math.floor(rnd() * Math.min(3, t.length - at - 1)))
  } else {
    t.insert(Math.floor(rnd() * (t.length + 1)), tag + Math.floor(rnd() * 100) + ' ')
  }
}

// rng is a small seeded generator (mulberry32), so failures replay.
export function rng (seed) {
  return () => {
    seed |= 0; seed = (seed + 0x6D2B79F5) | 0
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

export function done (result) {
  process.stdout.write(JSON.stringify(result) + '\n')
  process.exit(0)
}

export function fail (err) {
  process.stderr.write(String(err && err.stack ? err.stack : err) + '\n')
  process.stdout.write(JSON.stringify({ error: String(err) }) + '\n')
  process.exit(1)
}
