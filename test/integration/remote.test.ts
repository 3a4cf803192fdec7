/**
 * The remote-call layer and the ecmwf-api / efas-api providers in real nginx, on every runtime
 * leg, with two workers (issue 15): recording fakes of ECMWF's who-am-i and of EFAS as real HTTP
 * servers on loopback (test/support/fake-remote.ts, fake-ecmwf.ts), one pair per leg so the calls
 * counted are that leg's alone. nginx loads what operators include: the snippets
 * `authotron compile --nginx-snippets` writes, and nginx/. The grant cache is off
 * (`grant_cache_ttl_in_ms: 0`) so that every request reaches the remote layer and its
 * proxy_cache is what is tested, on njs 0.7.9 as on the others.
 */
import test from 'ava'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { jwtVerify } from 'jose'
import type { NginxServer } from '../nginx-harness/nginx'
import { selectedLegs, type LegName } from '../nginx-harness/runtimes'
import { withNginxOnEveryLeg } from '../support/suite'
import { startFakeRemote, type FakeRemote, type Handler } from '../support/fake-remote'
import { efasLookup, whoAmI } from '../support/fake-ecmwf'
import { compileWithSnippets } from '../support/compile-with-snippets'

const MINT_SECRET = 'remote-integration-secret-0123456789'
const TIMEOUT_MS = 3000
const INVALID_TTL_S = 2
/** 10 MB: far beyond what a subrequest buffers. */
const HUGE_BYTES = 10 * 1024 * 1024

const ACCOUNTS = {
  'key-adam': { uid: 'adam', email: 'adam@ecmwf.int', full_name: 'Adam', apikey: 'key-adam' },
  'key-noemail': { uid: 'eve' },
  // Visible ASCII that means something in a query string: it must arrive as sent.
  'k&y+%2B=#x?': { uid: 'odd', email: 'odd@ecmwf.int' },
  'key-echo': { uid: 'echo', email: 'key-echo@ecmwf.int' },
}

/** Tokens that make the who-am-i fake misbehave; the rest go to the ECMWF-like handler. */
function misbehaving(accounts: typeof ACCOUNTS): Handler {
  const normal = whoAmI(accounts)
  return (request) => {
    const token = request.query.get('token') ?? ''
    if (token.startsWith('status-')) return { status: Number(token.slice(7, 10)), body: { message: 'no' } }
    if (token.startsWith('malformed')) return { status: 200, body: '{"uid": "adam", ' }
    if (token.startsWith('notobject')) return { status: 200, body: '["adam"]' }
    if (token.startsWith('huge')) return { status: 200, bytes: HUGE_BYTES }
    if (token.startsWith('hang')) return { hang: true }
    if (token.startsWith('slow')) return { status: 200, delayMs: 400, body: { uid: 'slow' } }
    if (token.startsWith('fresh')) return { status: 200, body: { uid: token } }
    return normal(request)
  }
}

const EFAS_TOKENS = {
  'efas-1': { username: 'flo', roles: ['forecaster', 'viewer'], email: 'flo@efas.eu', org: 'JRC' },
  'efas-noroles': { username: 'nor', email: null },
  'efas-nullroles': { username: 'nul', roles: null },
  'efas-nousername': { roles: ['x'] },
}

interface LegFixture {
  remote: FakeRemote
}

const legs = selectedLegs()
const fixtures = new Map<LegName, LegFixture>()

test.serial.before(async () => {
  for (const leg of legs) {
    const remote = await startFakeRemote({
      '/v1/who-am-i': misbehaving(ACCOUNTS),
      '/efas/token': efasLookup(EFAS_TOKENS),
    })
    fixtures.set(leg.name, { remote })
  }
})

test.after.always(async () => {
  for (const fixture of fixtures.values()) await fixture.remote.stop()
})

function configYaml({ remote }: LegFixture): string {
  return [
    'version: 2.0.0',
    'logging: { level: debug, format: console }',
    'store: { enabled: false }',
    'services: []',
    'server: { port: 8080 }',
    `jwt: { exp: 3600, iss: authotron-test, secret: ${MINT_SECRET} }`,
    `auth: { timeout_in_ms: ${TIMEOUT_MS}, grant_cache_ttl_in_ms: 0 }`,
    'providers:',
    '  - { type: plain, name: local, realm: basicrealm, users: [{ username: bob, password: secret }] }',
    `  - { type: ecmwf-api, name: ECMWF API, realm: ecmwf, uri: "${remote.url('/v1')}", invalid_cache_ttl: ${INVALID_TTL_S} }`,
    `  - { type: efas-api, name: EFAS, realm: floods, uri: "${remote.url('/efas/token?app=aot')}" }`,
    '',
  ].join('\n')
}

/** `authotron compile --nginx-snippets`, as an operator runs it, into this nginx's prefix. */

const suite = withNginxOnEveryLeg(test, {
  label: 'remote',
  legs,
  workers: 2,
  conf: ({ leg, port, paths }) => {
    const config = compileWithSnippets(configYaml(fixtures.get(leg.name)!), paths.prefix, { name: 'remote-config' })
    return `
      js_import authotron from ${paths.module};
      js_preload_object authotron_cfg from ${config};
      js_var $authotron_config_file ${config};
      include ${paths.prefix}/authotron-remote-http.conf;
      log_format aot_worker '$pid $status';
      server {
        listen 127.0.0.1:${port} reuseport;
        access_log ${paths.prefix}/workers.log aot_worker;
        include ${paths.repo}/nginx/authotron-endpoints.conf;
        include ${paths.prefix}/authotron-remote-locations.conf;
      }`
  },
})

const remoteOf = (nginx: NginxServer) => fixtures.get(nginx.leg.name)!.remote

function bearer(nginx: NginxServer, token: string, realm?: string) {
  const headers: { [name: string]: string } = { Authorization: `Bearer ${token}`, Connection: 'close' }
  if (realm !== undefined) headers['X-Auth-Realm'] = realm
  return fetch(nginx.url('/authenticate'), { headers })
}

async function minted(response: Response) {
  const authorization = response.headers.get('authorization') ?? ''
  const { payload } = await jwtVerify(authorization.replace(/^Bearer /, ''), new TextEncoder().encode(MINT_SECRET))
  return payload
}

const calls = (nginx: NginxServer, token: string, path = '/v1/who-am-i') =>
  remoteOf(nginx).requests(path).filter((request) => request.query.get('token') === token)

// --- ecmwf-api: mapping -------------------------------------------------------------------------

suite.test('ecmwf-api: a known key → 200, uid and email mapped (§4.3), the key in no attribute', async (t, nginx) => {
  const response = await bearer(nginx, 'key-adam', 'ecmwf')
  t.is(response.status, 200)
  const payload = await minted(response)
  t.like(payload, { username: 'adam', realm: 'ecmwf', roles: [], scopes: {} })
  t.deepEqual(payload.attributes, { 'ecmwf-email': 'adam@ecmwf.int' })
  t.false(JSON.stringify(payload).includes('key-adam'))
  const [call] = calls(nginx, 'key-adam')
  t.is(call.method, 'GET')
  t.is(call.rawQuery, 'token=key-adam')
  t.is(call.headers.authorization, undefined, 'no client header reaches the service')
  t.is(call.headers['x-auth-realm'], undefined)
  t.is(call.headers.accept, 'application/json')
})

suite.test('ecmwf-api: no email → no attribute; an email holding the key is dropped', async (t, nginx) => {
  t.deepEqual((await minted(await bearer(nginx, 'key-noemail', 'ecmwf'))).attributes, {})
  t.deepEqual((await minted(await bearer(nginx, 'key-echo', 'ecmwf'))).attributes, {})
})

suite.test('ecmwf-api: a key with &, +, %, =, # and ? reaches the service percent-encoded, intact', async (t, nginx) => {
  const response = await bearer(nginx, 'k&y+%2B=#x?', 'ecmwf')
  t.is(response.status, 200)
  t.is((await minted(response)).username, 'odd')
  t.is(calls(nginx, 'k&y+%2B=#x?')[0].rawQuery, 'token=k%26y%2B%252B%3D%23x%3F')
})

// --- ecmwf-api: refusals ------------------------------------------------------------------------

suite.serial('ecmwf-api: 403 → 401, the refusal reused for invalid_cache_ttl seconds only', async (t, nginx) => {
  const token = `unknown-${Date.now()}`
  const offset = nginx.errorLogSize()
  t.is((await bearer(nginx, token, 'ecmwf')).status, 401)
  t.is((await bearer(nginx, token, 'ecmwf')).status, 401)
  t.is(calls(nginx, token).length, 1, 'the second refusal came from the cache')
  t.regex(nginx.errorLogSince(offset), /auth\.provider\.failed provider="ECMWF API" code="ERR_REMOTE_INVALID_CREDENTIAL" reason="Invalid API token"/)
  // nginx counts cache lifetimes in whole seconds: up to one more second.
  await new Promise((resolve) => setTimeout(resolve, INVALID_TTL_S * 1000 + 1300))
  t.is((await bearer(nginx, token, 'ecmwf')).status, 401)
  t.is(calls(nginx, token).length, 2, 'asked again once the refusal expired')
})

for (const status of [500, 404, 429, 401, 302]) {
  suite.test(`ecmwf-api: status ${status} → 401 "Unexpected status code", never cached`, async (t, nginx) => {
    const token = `status-${status}-${Date.now()}`
    const offset = nginx.errorLogSize()
    t.is((await bearer(nginx, token, 'ecmwf')).status, 401)
    t.is((await bearer(nginx, token, 'ecmwf')).status, 401)
    t.is(calls(nginx, token).length, 2)
    t.regex(nginx.errorLogSince(offset), new RegExp(`code="ERR_REMOTE_STATUS" reason="Unexpected status code: ${status}"`))
  })
}

suite.test('ecmwf-api: a 200 that is not JSON, or not an object with a uid → 401 ERR_REMOTE_MALFORMED', async (t, nginx) => {
  const offset = nginx.errorLogSize()
  t.is((await bearer(nginx, 'malformed-1', 'ecmwf')).status, 401)
  t.is((await bearer(nginx, 'notobject-1', 'ecmwf')).status, 401)
  t.is(nginx.errorLogSince(offset).match(/provider="ECMWF API" code="ERR_REMOTE_MALFORMED"/g)?.length, 2)
})

// An answer beyond the relay's subrequest_output_buffer_size ends the relay's own request, never
// the client's (docs/remote.md): a 401. test/integration/remote-hop.test.ts tries every size.
suite.serial('ecmwf-api: a 10 MB answer → 401, and the worker keeps serving', async (t, nginx) => {
  const offset = nginx.errorLogSize()
  t.is((await bearer(nginx, `huge-${Date.now()}`, 'ecmwf')).status, 401)
  t.is((await bearer(nginx, 'key-adam', 'ecmwf')).status, 200)
  t.notRegex(nginx.errorLogSince(offset), /exited on signal/)
})

suite.serial('ecmwf-api: a service that hangs → 401 within auth.timeout_in_ms (+ margin)', async (t, nginx) => {
  const started = Date.now()
  const response = await bearer(nginx, `hang-${Date.now()}`, 'ecmwf')
  const elapsed = Date.now() - started
  t.is(response.status, 401)
  t.log(`${nginx.leg.name}: answered after ${elapsed} ms (timeout ${TIMEOUT_MS} ms)`)
  // The relay gives the service 85 % of the timeout (src/remote/nginx-snippets.ts), then answers 504.
  t.true(elapsed >= TIMEOUT_MS * 0.85 - 20, `${elapsed} ms`)
  t.true(elapsed <= TIMEOUT_MS + 50, `${elapsed} ms`)
})

// --- caching and coalescing ----------------------------------------------------------------------

suite.serial('cache hit: one who-am-i call for 30 requests spread over both workers', async (t, nginx) => {
  const token = `fresh-hit-${Date.now()}`
  const workersLog = join(nginx.paths.prefix, 'workers.log')
  const before = readFileSync(workersLog, 'utf8').length
  t.is((await bearer(nginx, token, 'ecmwf')).status, 200)
  const statuses = await Promise.all(Array.from({ length: 30 }, () => bearer(nginx, token, 'ecmwf').then((r) => r.status)))
  t.deepEqual(new Set(statuses), new Set([200]))
  t.is(calls(nginx, token).length, 1)
  const pids = new Set(readFileSync(workersLog, 'utf8').slice(before).trim().split('\n').map((line) => line.split(' ')[0]))
  t.is(pids.size, 2, `served by workers ${[...pids].join(', ')}`)
})

suite.serial('coalescing: 20 concurrent first requests for one key make one call', async (t, nginx) => {
  const token = `slow-${Date.now()}`
  const statuses = await Promise.all(Array.from({ length: 20 }, () => bearer(nginx, token, 'ecmwf').then((r) => r.status)))
  t.deepEqual(new Set(statuses), new Set([200]))
  t.is(calls(nginx, token).length, 1)
})

suite.serial('a hanging key delays only itself: other keys and Basic users answer meanwhile', async (t, nginx) => {
  const hanging = Array.from({ length: 5 }, (_, i) => bearer(nginx, `hang-other-${i}-${Date.now()}`, 'ecmwf'))
  await new Promise((resolve) => setTimeout(resolve, 100))
  const started = Date.now()
  const basic = await fetch(nginx.url('/authenticate'), { headers: { Authorization: 'Basic Ym9iOnNlY3JldA==' } })
  const basicMs = Date.now() - started
  t.is(basic.status, 200)
  const other = await bearer(nginx, `fresh-other-${Date.now()}`, 'ecmwf')
  const otherMs = Date.now() - started
  t.is(other.status, 200)
  t.log(`${nginx.leg.name}: Basic ${basicMs} ms, another key ${otherMs} ms while 5 keys hang`)
  // The Basic user of another realm waits for nothing of the hang (a lock, a queue), QuickJS
  // included, where the held requests make the worker build JS contexts: ~1.6 ms of CPU each with
  // dist/authotron-qjs.js under load, ~14.5 ms with dist/authotron.js (docs/remote.md).
  t.true(basicMs < TIMEOUT_MS / 4, `Basic ${basicMs} ms`)
  t.true(otherMs < TIMEOUT_MS / 2, `${otherMs} ms`)
  for (const response of await Promise.all(hanging)) t.is(response.status, 401)
})

// --- efas-api -----------------------------------------------------------------------------------

suite.test('efas-api: username, roles, email mapped (§4.4); other fields dropped; the configured realm', async (t, nginx) => {
  const response = await bearer(nginx, 'efas-1', 'efas')
  t.is(response.status, 200)
  const payload = await minted(response)
  t.like(payload, { username: 'flo', realm: 'floods', roles: ['forecaster', 'viewer'], scopes: {} })
  t.deepEqual(payload.attributes, { email: 'flo@efas.eu' })
  const [call] = calls(nginx, 'efas-1', '/efas/token')
  t.is(call.rawQuery, 'app=aot&token=efas-1', "the token after the uri's own query")
})

suite.test('efas-api: selected by X-Auth-Realm efas, not by its configured realm (§4.4 quirk, kept)', async (t, nginx) => {
  t.is((await bearer(nginx, 'efas-noroles', 'floods')).status, 401)
  t.is(calls(nginx, 'efas-noroles', '/efas/token').length, 0)
  const response = await bearer(nginx, 'efas-noroles', 'efas')
  t.is(response.status, 200)
  t.like(await minted(response), { username: 'nor', realm: 'floods', roles: [], attributes: {} })
  const challenge = (await bearer(nginx, 'nobody')).headers.get('www-authenticate')
  t.is(challenge, 'Basic realm="basicrealm", Bearer realm="ecmwf", Bearer realm="efas"')
})

suite.test('efas-api: roles null, no username, 403 → 401 with their codes', async (t, nginx) => {
  const offset = nginx.errorLogSize()
  t.is((await bearer(nginx, 'efas-nullroles', 'efas')).status, 401)
  t.is((await bearer(nginx, 'efas-nousername', 'efas')).status, 401)
  t.is((await bearer(nginx, 'efas-unknown', 'efas')).status, 401)
  const log = nginx.errorLogSince(offset)
  t.is(log.match(/provider="EFAS" code="ERR_REMOTE_MALFORMED"/g)?.length, 2)
  t.regex(log, /provider="EFAS" code="ERR_REMOTE_INVALID_CREDENTIAL" reason="Invalid API token"/)
})

// --- no credential at rest or in logs -----------------------------------------------------------

suite.serial('no token in the cache files, their keys or the error log', async (t, nginx) => {
  const tokens = ['key-adam', 'efas-1', 'k&y+', 'hang-', 'huge-', 'status-500', 'unknown-']
  const files: string[] = []
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name)
      if (statSync(path).isDirectory()) walk(path)
      else files.push(path)
    }
  }
  walk(join(nginx.paths.prefix, 'remote-cache'))
  t.true(files.length > 0, 'answers were cached')
  // Every answer is sealed by the relay (docs/remote.md): the fake echoes key-adam in its answer,
  // which is on disk only sealed.
  for (const file of files) {
    const text = readFileSync(file, 'latin1')
    const key = /\nKEY: (.*)\n/.exec(text)?.[1] ?? ''
    t.regex(key, /^\/_authotron\/remote\/[0-9a-f]{16}\/[\w-]{43}$/)
    for (const token of tokens) {
      t.false(file.includes(token), `${token} in a file name`)
      t.false(text.includes(token), `${token} in ${file}`)
    }
  }
  // Neither the module's lines nor nginx's (the relay server logs nothing) hold a token.
  const log = nginx.errorLog()
  for (const token of tokens) t.false(log.includes(token), token)
})
