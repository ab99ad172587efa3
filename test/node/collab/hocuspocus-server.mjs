// hocuspocus-server.mjs PORT
// A plain @hocuspocus/server on 127.0.0.1:PORT (in memory, no extensions),
// for benchmarks.
import { Server } from '@hocuspocus/server'

const port = Number(process.argv[2] || 1236)
const server = new Server({ port, address: '127.0.0.1', quiet: true })
await server.listen()
process.stderr.write('hocuspocus listening on ' + port + '\n')
