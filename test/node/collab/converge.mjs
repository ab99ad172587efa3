// converge.mjs BASE[,BASE...] ROOM CLIENTS EDITS SEED
// CLIENTS clients, spread over the servers at BASE, make EDITS random
// concurrent edits each; then a late joiner connects to the last server.
// Prints {texts, late} once every client holds the same text.
import { connect, synced, waitFor, sleep, randomEdit, rng, done, fail } from './lib.mjs'

const [base, room, n = '4', edits = '50', seed = '1'] = process.argv.slice(2)
const bases = base.split(',')
try {
  const rnd = rng(Number(seed))
  const clients = Array.from({ length: Number(n) }, (_, i) => connect(bases[i % bases.length], room))
  await Promise.all(clients.map((c) => synced(c)))
  for (let i = 0; i < Number(edits); i++) {
    for (const [k, c] of clients.entries()) {
      if (rnd() < 0.8) randomEdit(c, rnd, 'c' + k + '.' + i + ':')
    }
    await sleep(Math.floor(rnd() * 5))
  }
  const same = () => clients.every((c) => c.text.toString() === clients[0].text.toString())
  await waitFor(same, 15000, 'convergence')
  const late = connect(bases[bases.length - 1], room)
  await synced(late)
  await waitFor(() => late.text.toString() === clients[0].text.toString(), 5000, 'late joiner')
  const result = { texts: clients.map((c) => c.text.toString()), late: late.text.toString() }
  for (const c of [...clients, late]) c.provider.destroy()
  done(result)
} catch (err) { fail(err) }
