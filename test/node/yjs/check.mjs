// check.mjs applies what the Go implementation of internal/yjs computed for
// generated cases to fresh Yjs documents and compares the outcome with what
// Yjs's own functions give. It prints {"checked": n, "failures": [...]}.
//
//   node check.mjs <cases.json> <results.json>
import * as Y from 'yjs'
import { readFileSync } from 'node:fs'
import { unb64, snapshot, stateOf } from './common.mjs'

const [casesPath, resultsPath] = process.argv.slice(2)
const cases = new Map(JSON.parse(readFileSync(casesPath, 'utf8')).map(c => [c.id, c]))
const results = JSON.parse(readFileSync(resultsPath, 'utf8'))

const svOf = (doc) => JSON.stringify([...Y.decodeStateVector(Y.encodeStateVector(doc))].sort((a, b) => a[0] - b[0]))
const failures = []
const expectSame = (id, what, got, want) => {
  const g = snapshot(got); const w = snapshot(want)
  if (g !== w) failures.push({ id, what, detail: `content\n got ${g}\nwant ${w}` })
  else if (svOf(got) !== svOf(want)) failures.push({ id, what, detail: `state vector got ${svOf(got)} want ${svOf(want)}` })
}

for (const r of results) {
  const c = cases.get(r.id)
  try {
    const full = stateOf(unb64(c.yMerged))
    if (snapshot(full) !== c.snapshot) failures.push({ id: r.id, what: 'generator', detail: 'Yjs merge differs from the session' })
    expectSame(r.id, 'merge', stateOf(unb64(r.merged)), full)

    // Gaps: the subsets must agree, and again once the rest arrives.
    const gotSub = stateOf(unb64(r.subsetMerged))
    const wantSub = stateOf(unb64(c.ySubsetMerged))
    expectSame(r.id, 'merge with gaps', gotSub, wantSub)
    for (const u of c.rest) { Y.applyUpdate(gotSub, unb64(u)); Y.applyUpdate(wantSub, unb64(u)) }
    expectSame(r.id, 'merge with gaps, then the rest', gotSub, wantSub)
    // Not compared with full: with formatting, Yjs itself may end
    // differently when updates arrive in another order.

    // Diff: a peer with peerBase that applies the diff has everything.
    const peer = stateOf(unb64(c.peerBase))
    Y.applyUpdate(peer, unb64(r.diff))
    const yPeer = stateOf(unb64(c.peerBase))
    Y.applyUpdate(yPeer, unb64(c.yDiff))
    expectSame(r.id, 'diff', peer, yPeer)
    expectSame(r.id, 'diff vs full', peer, full)

    // Compaction: same document, and it still converges with late updates.
    expectSame(r.id, 'compact', stateOf(unb64(r.compact)), full)
    const compactedSub = stateOf(unb64(r.compactSubset))
    expectSame(r.id, 'compact with gaps', compactedSub, stateOf(unb64(c.ySubsetMerged)))
    for (const u of c.rest) Y.applyUpdate(compactedSub, unb64(u))
    expectSame(r.id, 'compact with gaps, then the rest', compactedSub, wantSub)
  } catch (e) {
    failures.push({ id: r.id, what: 'exception', detail: String(e && e.stack || e) })
  }
}
process.stdout.write(JSON.stringify({ checked: results.length, failures }))
