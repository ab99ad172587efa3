// Browser end-to-end test of the frontend contract: two users in Debian's
// Chromium share a room through kaicode's /ws and /sync sockets. User A
// types code, user B sees it, sets stdin and clicks Run; both see the
// output. Prints a JSON summary on stdout.
//
// usage: node browser/e2e.mjs <kaicode base URL> <room> <token A> <token B> <screenshot dir>
import http from 'node:http'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import * as esbuild from 'esbuild'
import { chromium } from 'playwright-core'

const [baseURL, room, tokenA, tokenB, shots] = process.argv.slice(2)
const here = path.dirname(fileURLToPath(import.meta.url))
const wsBase = baseURL.replace(/^http/, 'ws').replace(/\/?$/, '/')

const bundle = await esbuild.build({
  entryPoints: [path.join(here, 'app.mjs')],
  bundle: true,
  write: false,
  format: 'esm',
  logLevel: 'error'
})
const page = `<!doctype html><meta charset="utf-8"><title>Kaicode room</title>
<style>body{font:14px sans-serif;margin:1em}textarea{width:40em;height:8em;font-family:monospace}
pre{background:#111;color:#eee;padding:.5em;min-height:3em}</style>
<textarea id="editor" spellcheck="false"></textarea><br>
<select id="language"><option>python</option><option>cpp</option><option>go</option><option>java</option><option>javascript</option></select>
<input id="stdin" placeholder="stdin"> <button id="run">Run</button> <span id="spinner" hidden>running…</span> <span id="time"></span>
<pre id="output"></pre>
<script type="module">${bundle.outputFiles[0].text.replace(/<\/script/g, '<\\/script')}</script>`

const server = http.createServer((req, res) => {
  res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' })
  res.end(page)
})
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
const pageURL = (token) => `http://127.0.0.1:${server.address().port}/?` +
  new URLSearchParams({ base: wsBase, room, token })

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic']
})
try {
  const open = async (token) => {
    const p = await (await browser.newContext()).newPage()
    p.on('pageerror', (e) => console.error('page error:', e.message))
    await p.goto(pageURL(token))
    await p.waitForSelector('body[data-yjs="connected"][data-sync="open"]', { timeout: 20000 })
    return p
  }
  const a = await open(tokenA)
  const b = await open(tokenB)

  const code = 'print(input()[::-1])'
  await a.click('#editor')
  await a.keyboard.type(code, { delay: 5 })
  await b.waitForFunction((want) => document.getElementById('editor').value === want, code, { timeout: 20000 })

  await b.fill('#stdin', 'olleh')
  await b.selectOption('#language', 'python')
  await b.click('#run')
  const done = (p) => p.waitForFunction(() => document.getElementById('output').textContent.includes('hello'), null, { timeout: 60000 })
  await Promise.all([done(a), done(b)])
  // Give a duplicate output the time to arrive before counting.
  await new Promise((resolve) => setTimeout(resolve, 500))
  const spinnerAfter = await b.isVisible('#spinner')
  const outputs = (p) => p.evaluate(() => Number(document.body.dataset.outputs || 0))
  await a.screenshot({ path: path.join(shots, 'user-a.png') })
  await b.screenshot({ path: path.join(shots, 'user-b.png') })
  console.log(JSON.stringify({
    textB: await b.inputValue('#editor'),
    outputA: await a.textContent('#output'),
    outputB: await b.textContent('#output'),
    timeB: await b.textContent('#time'),
    outputsA: await outputs(a),
    outputsB: await outputs(b),
    spinnerAfter
  }))
} finally {
  await browser.close()
  server.close()
}
