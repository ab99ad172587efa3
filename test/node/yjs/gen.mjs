// gen.mjs writes seeded random Yjs editing sessions as JSON cases for the Go
// differential tests of internal/yjs, with what Yjs itself computes for them.
//
//   node gen.mjs <seed> <count>   > cases.json
import * as Y from 'yjs'
import { b64, snapshot, ROOTS } from './common.mjs'

const [seed = '1', count = '100'] = process.argv.slice(2)

// Yjs logs to the console; keep standard output for the JSON.
console.log = console.warn = (...args) => process.stderr.write(args.join(' ') + '\n')

// mulberry32: a small seeded PRNG, so every run generates the same cases.
const prng = (a) => () => {
  a |= 0; a = a + 0x6D2B79F5 | 0
  let t = Math.imul(a ^ a >>> 15, 1 | a)
  t = t + Math.imul(t ^ t >>> 7, 61 | t) ^ t
  return ((t ^ t >>> 14) >>> 0) / 4294967296
}

const genCase = (rand, id) => {
  const int = (n) => Math.floor(rand() * n)
  const pick = (xs) => xs[int(xs.length)]
  const chance = (p) => rand() < p
  const words = ['a', 'b', 'hello', ' ', 'xyz', 'ünï', '漢字', '😀', 'a😀b', '\n', '🎉🎉', 'end']
  const word = () => pick(words)
  const value = () => pick([
    () => int(1000) - 500, () => rand() * 10, () => 2 ** 40 + int(10), () => word(), () => true, () => false,
    () => null, () => [int(5), word()], () => ({ k: word(), n: int(9), b: BigInt(int(1000)) }),
    () => new Uint8Array([int(256), 1, 2])
  ])()

  const nClients = 2 + int(3)
  const docs = []
  const updates = []
  for (let i = 0; i < nClients; i++) {
    const doc = new Y.Doc({ gc: chance(0.7) })
    doc.clientID = 1 + int(2 ** 31) + (i === 0 ? 0 : int(3)) // sometimes close ids
    doc.on('update', (u, origin) => { if (origin !== 'sync') updates.push(u) })
    docs.push(doc)
  }
  const sync = (a, b) => {
    Y.applyUpdate(b, Y.encodeStateAsUpdate(a, Y.encodeStateVector(b)), 'sync')
  }
  const nested = (doc) => {
    const m = doc.getMap(ROOTS.map)
    const kinds = [...m.values()].filter(v => v instanceof Y.AbstractType)
    return kinds.length > 0 ? pick(kinds) : null
  }
  const editText = (t) => {
    const len = t.length
    const r = rand()
    if (r < 0.55 || len === 0) {
      const attrs = chance(0.15) ? { bold: true } : undefined
      t.insert(int(len + 1), word(), attrs)
    } else if (r < 0.8) {
      const at = int(len)
      t.delete(at, 1 + int(Math.min(len - at, 6)))
    } else if (r < 0.93) {
      const at = int(len)
      t.format(at, 1 + int(len - at), { italic: chance(0.7) ? true : null })
    } else {
      t.insertEmbed(int(len + 1), { image: word() })
    }
  }
  const editArray = (a) => {
    if (a.length === 0 || chance(0.6)) {
      const items = chance(0.2) ? [new Y.Map()] : chance(0.1) ? [new Y.Text('t')] : Array.from({ length: 1 + int(3) }, value)
      a.insert(int(a.length + 1), items)
    } else {
      const at = int(a.length)
      a.delete(at, 1 + int(Math.min(a.length - at, 3)))
    }
  }
  const op = (doc, inTransaction = false) => {
    const r = inTransaction ? rand() * 0.9 : rand()
    if (r < 0.45) editText(doc.getText(ROOTS.text))
    else if (r < 0.6) {
      const m = doc.getMap(ROOTS.map)
      const key = pick(['k1', 'k2', 'k3', 'n'])
      const q = rand()
      if (q < 0.5) m.set(key, value())
      else if (q < 0.65) m.set(key, new Y.Text(word()))
      else if (q < 0.75) m.set(key, new Y.Array())
      else if (q < 0.8) m.set(key, new Y.Doc({ guid: `sub-${id}-${int(1e6)}` }))
      else if (q < 0.85) m.set(key, new Y.XmlElement('p'))
      else m.delete(key)
    } else if (r < 0.75) editArray(doc.getArray(ROOTS.array))
    else if (r < 0.85) {
      const t = nested(doc)
      if (t instanceof Y.Text) editText(t)
      else if (t instanceof Y.Array) editArray(t)
      else if (t instanceof Y.XmlElement) t.insert(0, [new Y.XmlText(word())])
    } else if (r < 0.9) {
      const x = doc.getXmlFragment(ROOTS.xml)
      if (x.length > 0 && chance(0.3)) x.delete(0, 1)
      else x.insert(x.length, [chance(0.5) ? new Y.XmlText(word()) : new Y.XmlElement('div')])
    } else {
      const a = pick(docs)
      const b = pick(docs)
      if (a !== b) sync(a, b)
    }
  }
  const steps = 5 + int(40)
  for (let s = 0; s < steps; s++) {
    const doc = pick(docs)
    if (chance(0.2)) doc.transact(() => { op(doc, true); op(doc, true) })
    else op(doc)
  }

  // Delivery: shuffled, some updates twice.
  const delivered = updates.flatMap(u => chance(0.1) ? [u, u] : [u])
  for (let i = delivered.length - 1; i > 0; i--) {
    const j = int(i + 1); [delivered[i], delivered[j]] = [delivered[j], delivered[i]]
  }
  const inSubset = updates.map(() => chance(0.5))
  const subset = updates.filter((_, i) => inSubset[i])
  const rest = updates.filter((_, i) => !inSubset[i])
  const peerBase = Y.mergeUpdates(updates.filter(() => chance(0.5)))
  const peer = new Y.Doc()
  Y.applyUpdate(peer, peerBase)

  const merged = Y.mergeUpdates(delivered)
  const subsetMerged = Y.mergeUpdates(subset)
  const full = new Y.Doc()
  Y.applyUpdate(full, merged)
  const textOf = (u) => { const d = new Y.Doc(); Y.applyUpdate(d, u); return d.getText(ROOTS.text).toString() }
  return {
    id,
    updates: delivered.map(b64),
    subset: subset.map(b64),
    rest: rest.map(b64),
    peerBase: b64(peerBase),
    sv: b64(Y.encodeStateVector(peer)),
    yMerged: b64(merged),
    ySubsetMerged: b64(subsetMerged),
    yDiff: b64(Y.diffUpdate(merged, Y.encodeStateVector(peer))),
    text: full.getText(ROOTS.text).toString(),
    subsetText: textOf(subsetMerged),
    eachText: delivered.map(textOf),
    eachSV: delivered.map(u => b64(Y.encodeStateVectorFromUpdate(u))),
    mergedSV: b64(Y.encodeStateVectorFromUpdate(merged)),
    subsetSV: b64(Y.encodeStateVectorFromUpdate(subsetMerged)),
    snapshot: snapshot(full)
  }
}

const rand = prng(Number(seed))
const cases = []
for (let i = 0; i < Number(count); i++) cases.push(genCase(rand, `${seed}-${i}`))
process.stdout.write(JSON.stringify(cases))
