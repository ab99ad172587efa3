// writer.mjs BASE ROOM INTERVAL_MS
// Appends "line N\n" every INTERVAL_MS until killed, printing one JSON line
// {line: N} after each edit was handed to the socket. The server may die
// under it; the provider keeps reconnecting.
import { connect, synced, sleep, fail } from './lib.mjs'

const [base, room, interval = '20'] = process.argv.slice(2)
try {
  const c = connect(base, room)
  await synced(c)
  for (let n = 0; ; n++) {
    if (!c.provider.wsconnected) break
    c.text.insert(c.text.length, 'line ' + n + '\n')
    process.stdout.write(JSON.stringify({ line: n }) + '\n')
    await sleep(Number(interval))
  }
  process.exit(0)
} catch (err) { fail(err) }
