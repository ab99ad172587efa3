// Browser test of the playground page kaicode serves at /: in Debian's
// Chromium it fills the token, picks python, types a program and stdin,
// clicks Run and reads the output; runs again with Ctrl+Enter; shows a
// compile error; then tries a bad token and reads the error shown. Prints a
// JSON summary on stdout.
//
// usage: node browser/playground.mjs <kaicode base URL> <token> [screenshot dir]
import path from 'node:path'
import { chromium } from 'playwright-core'

const [baseURL, token, shots] = process.argv.slice(2)
const T = 60000 // ms to wait for a page condition

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic']
})
try {
  const page = await (await browser.newContext()).newPage()
  const pageErrors = []
  const cspErrors = []
  page.on('pageerror', (e) => { pageErrors.push(e.message); console.error('page error:', e.message) })
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy/i.test(m.text())) cspErrors.push(m.text())
  })

  // finished waits until #status leaves "running" and returns what the page shows.
  const finished = async () => {
    await page.waitForFunction(() => {
      const s = document.getElementById('status').dataset.state
      return s !== 'running' && s !== 'idle'
    }, null, { timeout: T })
    return page.evaluate(() => ({
      state: document.getElementById('status').dataset.state,
      status: document.getElementById('status').textContent,
      output: document.getElementById('output').textContent,
      meta: document.getElementById('meta').textContent,
      error: document.getElementById('error').textContent,
      compile: document.getElementById('compile').hidden ? '' : document.getElementById('compile-output').textContent,
      runEnabled: !document.getElementById('run').disabled
    }))
  }
  // watchRun records whether Run gets disabled during the next run.
  const watchRun = () => page.evaluate(() => {
    const run = document.getElementById('run')
    window.sawDisabled = false
    new MutationObserver(() => { if (run.disabled) window.sawDisabled = true })
      .observe(run, { attributes: true, attributeFilter: ['disabled'] })
  })
  const reset = () => page.evaluate(() => {
    document.getElementById('status').dataset.state = 'idle'
  })

  await page.goto(baseURL.replace(/\/?$/, '/'))
  await page.waitForSelector('body[data-languages="loaded"]', { timeout: T })
  const languages = await page.$$eval('#language option', (os) => os.map((o) => o.value))

  await page.fill('#token', token)
  await page.selectOption('#language', 'python')
  await page.fill('#source', '')
  await page.click('#source')
  await page.keyboard.press('Tab')
  const tabValue = await page.inputValue('#source')
  await page.fill('#source', '')
  await page.keyboard.type('print(input()*2)', { delay: 5 })
  await page.fill('#stdin', 'ab')
  await watchRun()
  await page.click('#run')
  const first = await finished()
  const sawDisabled = await page.evaluate(() => window.sawDisabled)
  if (shots) await page.screenshot({ path: path.join(shots, 'playground-run.png'), fullPage: true })

  // The token survives a reload; Ctrl+Enter in the source runs.
  await page.reload()
  await page.waitForSelector('body[data-languages="loaded"]', { timeout: T })
  const tokenRemembered = (await page.inputValue('#token')) === token
  const languageRemembered = await page.inputValue('#language')
  await page.fill('#source', 'print(input()*2)')
  await page.fill('#stdin', 'xy')
  await page.focus('#source')
  await page.keyboard.press('Control+Enter')
  const shortcut = await finished()
  const sourceAfterShortcut = await page.inputValue('#source')

  // A compile error shows the compiler's output.
  await reset()
  await page.selectOption('#language', 'c')
  await page.fill('#source', 'int main(void) { return nope; }\n')
  await page.click('#run')
  const compile = await finished()
  if (shots) await page.screenshot({ path: path.join(shots, 'playground-compile.png'), fullPage: true })

  // A bad token shows the API's error.
  await reset()
  await page.selectOption('#language', 'python')
  await page.fill('#token', 'not-a-token')
  await page.click('#run')
  const bad = await finished()
  if (shots) await page.screenshot({ path: path.join(shots, 'playground-bad-token.png'), fullPage: true })

  console.log(JSON.stringify({
    languages,
    tabValue,
    first,
    sawDisabled,
    tokenRemembered,
    languageRemembered,
    shortcut,
    sourceAfterShortcut,
    compile,
    bad,
    pageErrors,
    cspErrors
  }))
} finally {
  await browser.close()
}
