// lone.mjs BASE ROOM SECONDS
// One client alone in a room for SECONDS. Prints {closes, connected}: how
// many times its socket closed, and whether it is connected at the end.
import { connect, synced, sleep, done, fail } from './lib.mjs'

const [base, room, seconds = '36'] = process.argv.slice(2)
try {
  const c = connect(base, room)
  let closes = 0
  c.provider.on('connection-close', () => { closes++ })
  await synced(c)
  c.text.insert(0, 'alone')
  await sleep(Number(seconds) * 1000)
  const result = { closes, connected: c.provider.wsconnected, text: c.text.toString() }
  c.provider.destroy()
  done(result)
} catch (err) { fail(err) }
