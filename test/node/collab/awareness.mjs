// awareness.mjs BASE ROOM
// B announces an awareness state, then its socket dies without a goodbye.
// Prints {seen, removed, removedAfterMs}: whether A saw B and then saw B go.
import { connect, synced, waitFor, done, fail } from './lib.mjs'

const [base, room] = process.argv.slice(2)
try {
  const a = connect(base, room)
  const b = connect(base, room)
  await Promise.all([synced(a), synced(b)])
  const bid = b.doc.clientID
  b.provider.awareness.setLocalStateField('user', { name: 'B' })
  await waitFor(() => a.provider.awareness.getStates().has(bid), 5000, 'B in A\'s awareness')
  const start = Date.now()
  b.provider.shouldConnect = false
  b.provider.ws.terminate()
  await waitFor(() => !a.provider.awareness.getStates().has(bid), 10000, 'B removed from A\'s awareness')
  const result = { seen: true, removed: true, removedAfterMs: Date.now() - start }
  a.provider.destroy()
  done(result)
} catch (err) { fail(err) }
