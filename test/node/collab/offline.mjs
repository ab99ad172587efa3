// offline.mjs BASE ROOM
// A and B share a room; A goes offline and edits while B edits too; A
// reconnects. Prints {a, b} once both hold the same text.
import { connect, synced, waitFor, sleep, done, fail } from './lib.mjs'

const [base, room] = process.argv.slice(2)
try {
  const a = connect(base, room)
  const b = connect(base, room)
  await Promise.all([synced(a), synced(b)])
  a.text.insert(0, 'shared ')
  await waitFor(() => b.text.toString() === 'shared ', 5000, 'first edit')
  a.provider.disconnect()
  await sleep(100)
  a.text.insert(a.text.length, 'offline-A ')
  b.text.insert(0, 'online-B ')
  await sleep(300)
  a.provider.connect()
  await synced(a)
  await waitFor(() => a.text.toString() === b.text.toString(), 10000, 'merge after reconnect')
  const result = { a: a.text.toString(), b: b.text.toString() }
  a.provider.destroy(); b.provider.destroy()
  done(result)
} catch (err) { fail(err) }
