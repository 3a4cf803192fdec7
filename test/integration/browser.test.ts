/**
 * The browser login once in a real browser (issue 18): Debian's chromium, headless, driven by
 * puppeteer-core, against nginx/nginx.conf with the demo's config and httpbin — what `npm start`
 * serves. /api/get → 302 → /authenticate?redirect=/api/get → 401 challenge → the browser answers
 * with the credentials → session cookie, 302 back → httpbin's answer. Leaves a screenshot of that
 * page in the test's temp dir (docs/browser-login.png is one). One leg only: the browser is the
 * subject here; every leg runs the same flow with a cookie jar in session.test.ts.
 */
import test from 'ava'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import puppeteer from 'puppeteer-core'
import { exampleConf } from '../nginx-harness/example-conf'
import { makeTempDir, REPO_ROOT } from '../nginx-harness/paths'
import { selectedLegs } from '../nginx-harness/runtimes'
import { withNginxOnEveryLeg } from '../support/suite'

const CHROMIUM = '/usr/bin/chromium'
const legs = selectedLegs()
const oneLeg = legs.filter((leg) => leg.name === 'sid').concat(legs).slice(0, 1)

const suite = withNginxOnEveryLeg(test, {
  label: 'browser',
  legs: oneLeg,
  complete: true,
  httpbin: true,
  config: readFileSync(join(REPO_ROOT, 'nginx/demo/config.yaml'), 'utf8'),
  conf: exampleConf,
})

suite.test('chromium: /api/get → login prompt → credentials → back on /api/get with the session cookie', async (t, nginx) => {
  if (!existsSync(CHROMIUM)) t.fail(`${CHROMIUM} is missing: test/runtimes/install-debian.sh installs Debian's chromium`)
  const browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  })
  try {
    const page = await browser.newPage()
    page.setDefaultTimeout(20_000)
    await page.authenticate({ username: 'test_user', password: 'secret123' })
    const statuses: string[] = []
    page.on('response', (response) => statuses.push(`${response.status()} ${new URL(response.url()).pathname}`))

    const answer = await page.goto(nginx.url('/api/get'), { waitUntil: 'load' })
    t.is(answer?.status(), 200)
    t.is(new URL(page.url()).pathname, '/api/get')
    // (puppeteer answers the 401 challenge itself: it shows no response event)
    t.deepEqual(statuses.slice(0, 3), ['302 /api/get', '302 /authenticate', '200 /api/get'])

    const cookies = await browser.cookies()
    const session = cookies.find((cookie) => cookie.name === 'authotron_session')
    t.truthy(session, JSON.stringify(cookies))
    t.true(session!.httpOnly)
    t.is(session!.sameSite, 'Lax')
    t.is(session!.path, '/')
    t.false(session!.secure) // the demo's cookie_secure: false (plain http)

    const echoed = JSON.parse(await page.$eval('body', (body) => body.innerText)) as { headers: Record<string, string> }
    t.regex(echoed.headers.Authorization, /^Bearer ey/)
    t.is(echoed.headers['X-Auth-Username'], 'test_user')

    const screenshot = join(makeTempDir('browser-login'), 'browser-login.png')
    await page.screenshot({ path: screenshot })
    t.log(`screenshot: ${screenshot}`)

    const logout = await page.goto(nginx.url('/logout'), { waitUntil: 'load' })
    t.is(logout?.status(), 200) // the landing page at /, after the 302
    t.is((await browser.cookies()).find((cookie) => cookie.name === 'authotron_session'), undefined)
  } finally {
    await browser.close()
  }
})
