// frontend.mjs BASE ROOM TOKEN_A TOKEN_B
// Replays what the Kaicode web frontend does, for two users in one room:
// each opens the Yjs socket (new WebsocketProvider(base + "ws", room, doc),
// no token) and the sync socket (new WebSocket(base + "sync")) and sends
// the frontend's exact messages. Then a third sync socket joins late.
// Prints one JSON object with what every client received.
import * as Y from 'yjs'
import { WebsocketProvider } from 'y-websocket'
import WebSocket from 'ws'

const [base, room, tokenA, tokenB] = process.argv.slice(2)
const wsBase = base.replace(/^http/, 'ws')
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

async function waitFor (cond, ms, what) {
  const end = Date.now() + ms
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting for ' + what)
    await sleep(20)
  }
}

// frontend opens both sockets as the frontend does.
async function frontend (token, withYjs = true) {
  const f = { messages: [] }
  if (withYjs) {
    f.doc = new Y.Doc()
    f.provider = new WebsocketProvider(wsBase + 'ws', room, f.doc, { WebSocketPolyfill: WebSocket, disableBc: true })
    f.text = f.doc.getText()
  }
  f.sync = new WebSocket(wsBase + 'sync')
  f.sync.on('message', (data) => f.messages.push(JSON.parse(data.toString())))
  await new Promise((resolve, reject) => { f.sync.on('open', resolve); f.sync.on('error', reject) })
  f.send = (m) => f.sync.send(JSON.stringify(m))
  f.send({ event: 'auth', token, room_name: room })
  f.outputs = () => f.messages.filter((m) => m.event === 'output')
  return f
}

try {
  const a = await frontend(tokenA)
  const b = await frontend(tokenB)
  await waitFor(() => a.provider.synced && b.provider.synced, 10000, 'yjs sync')

  const code = 'print("got", input())'
  a.text.insert(0, code)
  await waitFor(() => b.text.toString() === code, 10000, 'the edit to reach b')
  for (const f of [a, b]) f.send({ event: 'sync', content: f.text.toString(), room_name: room })

  a.send({ event: 'judge', content: code, language: 'python', input: 'hello', room_name: room })
  await waitFor(() => a.outputs().length >= 1 && b.outputs().length >= 1, 60000, 'the python output')

  b.send({ event: 'judge', content: 'int main() { return x; }', language: 'cpp', input: ' ', room_name: room })
  await waitFor(() => a.outputs().length >= 2 && b.outputs().length >= 2, 60000, 'the cpp output')
  await sleep(500) // an extra output would arrive now

  const late = await frontend(tokenB, false)
  await waitFor(() => late.outputs().length >= 1 && late.messages.some((m) => m.event === 'presence'), 10000, 'the late joiner')
  await sleep(200)

  const result = {
    yjsText: b.text.toString(),
    outputsA: a.outputs(),
    outputsB: b.outputs(),
    late: late.messages
  }
  for (const f of [a, b, late]) {
    f.sync.close()
    if (f.provider) f.provider.destroy()
  }
  process.stdout.write(JSON.stringify(result) + '\n')
  process.exit(0)
} catch (err) {
  process.stderr.write(String(err && err.stack ? err.stack : err) + '\n')
  process.exit(1)
}
