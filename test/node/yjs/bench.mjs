// bench.mjs writes the benchmark inputs of internal/yjs to a directory and
// times Yjs on them, so Go and Yjs run on the same bytes.
//
//   node bench.mjs <dir> [--time]
//
// Inputs: updates.bin (10,000 single-operation text updates of three
// concurrently typing clients, each prefixed by its 4-byte big-endian
// length), merged.bin (their Y.mergeUpdates), sv.bin (a state vector half
// way), doc.bin (a document with about 100 KB of text from many scattered
// edits), typed.bin (about 100 KB of text typed front to back), small.bin
// (one single-character update by a new client). With --time it prints
// Yjs's median times in milliseconds as JSON.
import * as Y from 'yjs'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

const [dir, flag] = process.argv.slice(2)
mkdirSync(dir, { recursive: true })

let state = 42
const rand = () => { state = (state * 1103515245 + 12345) % 2147483648; return state / 2147483648 }
const int = (n) => Math.floor(rand() * n)

// Three clients typing concurrently, syncing now and then.
const docs = [1, 2, 3].map(id => { const d = new Y.Doc(); d.clientID = id; return d })
const updates = []
docs.forEach(d => d.on('update', (u, origin) => { if (origin !== 'sync') updates.push(u) }))
const half = []
while (updates.length < 10000) {
  const d = docs[int(3)]
  const t = d.getText('')
  if (t.length > 10 && rand() < 0.1) t.delete(int(t.length - 2), 1 + int(2))
  else t.insert(int(t.length + 1), 'abcdefgh'.slice(0, 1 + int(3)))
  if (rand() < 0.05) {
    const a = docs[int(3)]; const b = docs[int(3)]
    Y.applyUpdate(b, Y.encodeStateAsUpdate(a, Y.encodeStateVector(b)), 'sync')
  }
  if (updates.length === 5000 && half.length === 0) half.push(Y.encodeStateVector(docs[0]))
}
updates.length = 10000
const merged = Y.mergeUpdates(updates)

// A document with about 100 KB of text from many edits.
const big = new Y.Doc()
big.clientID = 7
const bt = big.getText('')
const other = new Y.Doc()
other.clientID = 8
while (bt.length < 100000) {
  bt.insert(int(bt.length + 1), 'lorem ipsum dolor sit amet, '.slice(0, 5 + int(20)))
  if (rand() < 0.2) bt.delete(int(bt.length - 10), 1 + int(8))
  if (rand() < 0.01) {
    Y.applyUpdate(other, Y.encodeStateAsUpdate(big, Y.encodeStateVector(other)))
    other.getText('').insert(int(other.getText('').length), 'concurrent ')
    Y.applyUpdate(big, Y.encodeStateAsUpdate(other, Y.encodeStateVector(big)))
  }
}
const doc = Y.encodeStateAsUpdate(big)

// About 100 KB typed front to back, with typos fixed now and then.
const typist = new Y.Doc()
typist.clientID = 9
const tt = typist.getText('')
while (tt.length < 100000) {
  tt.insert(tt.length, 'the quick brown fox jumps over the lazy dog. '.slice(0, 1 + int(8)))
  if (rand() < 0.05) tt.delete(tt.length - 1, 1)
}
const typed = Y.encodeStateAsUpdate(typist)

const newcomer = new Y.Doc()
newcomer.clientID = 10
newcomer.getText('').insert(0, 'x')
const small = Y.encodeStateAsUpdate(newcomer)

const framed = Buffer.concat(updates.flatMap(u => {
  const len = Buffer.alloc(4); len.writeUInt32BE(u.length); return [len, Buffer.from(u)]
}))
writeFileSync(join(dir, 'updates.bin'), framed)
writeFileSync(join(dir, 'merged.bin'), merged)
writeFileSync(join(dir, 'sv.bin'), half[0])
writeFileSync(join(dir, 'doc.bin'), doc)
writeFileSync(join(dir, 'typed.bin'), typed)
writeFileSync(join(dir, 'small.bin'), small)

// median runs fn until it has taken at least a second (and at least 3
// times), after a warm-up run, and returns the median time in milliseconds.
const median = (fn) => {
  fn()
  const times = []
  const start = performance.now()
  while (times.length < 3 || (performance.now() - start < 1000 && times.length < 1000)) {
    const t0 = performance.now(); fn(); times.push(performance.now() - t0)
  }
  times.sort((a, b) => a - b)
  return times[times.length >> 1]
}

if (flag === '--time') {
  const textOf = (u) => () => { const d = new Y.Doc(); Y.applyUpdate(d, u); return d.getText('').toString() }
  const text = textOf(doc)
  process.stdout.write(JSON.stringify({
    node: process.version,
    yjs: '13.6.33',
    mergeMs: median(() => Y.mergeUpdates(updates)),
    diffMs: median(() => Y.diffUpdate(merged, half[0])),
    textMs: median(text),
    typedTextMs: median(textOf(typed)),
    mergeDocMs: median(() => Y.mergeUpdates([doc, small])),
    mergedBytes: merged.length,
    docBytes: doc.length,
    textBytes: Buffer.byteLength(text()),
    typedBytes: typed.length,
    typedTextBytes: Buffer.byteLength(textOf(typed)())
  }))
}
