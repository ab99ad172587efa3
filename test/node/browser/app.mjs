// The page the browser test loads: the existing frontend's use of the two
// sockets, reduced to a textarea editor. It opens the Yjs socket exactly as
// the frontend does (WebsocketProvider(base + "ws", room, ydoc), root text
// ""), and the sync socket (auth, sync every second, judge on Run, output
// shown as numbered lines with time_taken).
import * as Y from 'yjs'
import { WebsocketProvider } from 'y-websocket'

const params = new URLSearchParams(location.search)
const base = params.get('base')
const room = params.get('room')
const token = params.get('token')

const editor = document.getElementById('editor')
const output = document.getElementById('output')
const spinner = document.getElementById('spinner')
const timeTaken = document.getElementById('time')

const ydoc = new Y.Doc()
const provider = new WebsocketProvider(base + 'ws', room, ydoc)
const ytext = ydoc.getText()
provider.on('status', (e) => { document.body.dataset.yjs = e.status })

ytext.observe(() => {
  const text = ytext.toString()
  if (editor.value !== text) editor.value = text
})

// Apply a textarea edit to the shared text as one change: the part between
// the common prefix and suffix is replaced.
editor.addEventListener('input', () => {
  const before = ytext.toString()
  const after = editor.value
  let start = 0
  while (start < before.length && start < after.length && before[start] === after[start]) start++
  let end = 0
  while (end < before.length - start && end < after.length - start &&
    before[before.length - 1 - end] === after[after.length - 1 - end]) end++
  ydoc.transact(() => {
    ytext.delete(start, before.length - start - end)
    ytext.insert(start, after.slice(start, after.length - end))
  })
})

const sync = new WebSocket(base + 'sync')
sync.onopen = () => {
  sync.send(JSON.stringify({ event: 'auth', token, room_name: room }))
  setInterval(() => {
    sync.send(JSON.stringify({ event: 'sync', content: ytext.toString(), room_name: room }))
  }, 1000)
  document.body.dataset.sync = 'open'
}
sync.onclose = () => { document.body.dataset.sync = 'closed' }
sync.onmessage = (e) => {
  const m = JSON.parse(e.data)
  if (m.event !== 'output') return
  document.body.dataset.outputs = Number(document.body.dataset.outputs || 0) + 1
  spinner.hidden = true
  output.textContent = m.content.split('\n').map((line, i) => `${i + 1}  ${line}`).join('\n')
  timeTaken.textContent = `${m.time_taken} ms`
}

document.getElementById('run').addEventListener('click', () => {
  spinner.hidden = false
  const input = document.getElementById('stdin').value
  sync.send(JSON.stringify({
    event: 'judge',
    content: ytext.toString(),
    language: document.getElementById('language').value,
    input: input === '' ? ' ' : input,
    room_name: room
  }))
})
