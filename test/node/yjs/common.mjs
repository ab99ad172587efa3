// Helpers shared by the differential scripts of internal/yjs.
import * as Y from 'yjs'

export const b64 = (u8) => Buffer.from(u8).toString('base64')
export const unb64 = (s) => new Uint8Array(Buffer.from(s, 'base64'))

// Root types every generated document may use.
export const ROOTS = { text: '', map: 'm', array: 'a', xml: 'x' }

// snapshot returns a canonical JSON text of everything visible in doc:
// text with formatting and embeds, map, array and XML content.
export const snapshot = (doc) => JSON.stringify({
  text: doc.getText(ROOTS.text).toDelta(),
  map: doc.getMap(ROOTS.map).toJSON(),
  array: doc.getArray(ROOTS.array).toJSON(),
  xml: doc.getXmlFragment(ROOTS.xml).toString()
}, canonical)

// canonical is a JSON.stringify replacer that sorts object keys, because the
// order of map keys depends on the order in which Yjs integrated entries.
function canonical (_, v) {
  if (typeof v === 'bigint') return `bigint:${v}`
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return v
  return Object.fromEntries(Object.keys(v).sort().map(k => [k, v[k]]))
}

export const stateOf = (update) => {
  const doc = new Y.Doc()
  Y.applyUpdate(doc, update)
  return doc
}

// readStdinJSON reads all of stdin and parses it.
export const readJSON = async (stream) => {
  const chunks = []
  for await (const c of stream) chunks.push(c)
  return JSON.parse(Buffer.concat(chunks).toString('utf8'))
}
