/**
 * Issue 19, points 2–5, against real nginx on every runtime leg, in one nginx per leg (serial, in
 * this order, so that the last test scans what all the others left behind):
 *
 *   hostile input  oversized, many-part, comma-flooded, control-byte, invalid-UTF-8 Authorization
 *                  headers, a 3 MB JWT, validly signed JWTs with deeply nested and huge claims,
 *                  duplicated headers, header injection through usernames, roles and claims, odd
 *                  methods — each answered 400/401/405/431 (never 5xx, never a dropped connection),
 *                  and no worker exit or signal in the error log. The count is logged.
 *   faults         a JWK Set upstream answering 10 MB (401, no worker lost; the sizes are in
 *                  jwks-faults.test.ts); a broken compiled config + reload →
 *                  the old workers keep serving and the error log says why.
 *   reload         `nginx -s reload` every second under load: every answer 200 or the expected
 *                  401, every minted token the credential's own (AOT_RELOAD_SECONDS, default 8;
 *                  `npm run soak:reload` runs 30).
 *   secrets        the error and access logs, the JWK Set cache directory and every minted JWT
 *                  hold none of the passwords, credentials or tokens the tests used.
 *
 * The error log runs at `info` and the module logs at `debug`, so that the scan sees every line the
 * module writes; it leaves out only nginx's own `info` lines quoting a rejected header line
 * (README "Security": that is why nginx/nginx.conf logs at `notice`).
 */
import test from 'ava'
import fc from 'fast-check'
import { spawnSync } from 'node:child_process'
import { createHmac, randomBytes } from 'node:crypto'
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { AUTHOTRON_CLI } from '../nginx-harness/paths'
import type { NginxServer } from '../nginx-harness/nginx'
import { selectedLegs } from '../nginx-harness/runtimes'
import { withNginxOnEveryLeg } from '../support/suite'
import { rawRequest, type RawResponse } from './http-client'
import { protectedApiConf } from './protected-api-conf'

// --- the secrets this file uses; the last test looks for each of them --------------------------

const MINT_SECRET = 'hostile-mint-secret-' + randomBytes(12).toString('hex')
const HMAC_KEY = randomBytes(32)
const ALICE = { username: 'alice', password: 'alice-pw-' + randomBytes(6).toString('hex') }
/** A username that tries to inject a response header (Basic forbids a colon in it), and roles that try the same. */
const BOB = { username: 'bob\r\nX-Injected;user', password: 'bob-pw-' + randomBytes(6).toString('hex') }
const INJECTING_ROLES = ['reader', 'a\r\nX-Injected: role', 'tab\there', 'nul\u0000byte', 'é']

const basic = (username: string, password: string) =>
  'Basic ' + Buffer.from(`${username}:${password}`, 'utf8').toString('base64')

const b64url = (data: string | Buffer) => Buffer.from(data).toString('base64url')

/** A JWT signed with the JWK Set's key: it passes the signature, so its claims are parsed. */
function signedJwt(claims: object | string, kid = 'hostile'): string {
  const head = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT', kid }))
  const payload = b64url(typeof claims === 'string' ? claims : JSON.stringify(claims))
  return `${head}.${payload}.${b64url(createHmac('sha256', HMAC_KEY).update(`${head}.${payload}`).digest())}`
}

const now = () => Math.floor(Date.now() / 1000)

// --- the JWK Set server ---------------------------------------------------------------------------

const TEN_MB = 10 * 1024 * 1024

let jwksServer: Server
let jwksPort = 0

test.serial.before(async () => { // serial: the nginx suites' hooks start after it (they read jwksPort)
  const goodSet = JSON.stringify({ keys: [{ kty: 'oct', kid: 'hostile', k: b64url(HMAC_KEY) }] })
  // A valid JWK Set padded to 10 MB: only its size is hostile.
  const hugeSet = `{"keys":[{"kty":"oct","kid":"hostile","k":"${b64url(HMAC_KEY)}"}],"pad":"${'x'.repeat(TEN_MB)}"}`
  jwksServer = createServer((req, res) => {
    const body = req.url === '/hs/jwks' ? goodSet : req.url === '/huge/jwks' ? hugeSet : undefined
    if (body === undefined) res.writeHead(404).end()
    else res.writeHead(200, { 'Content-Type': 'application/json' }).end(body)
  })
  await new Promise<void>((resolve) => jwksServer.listen(0, '127.0.0.1', resolve))
  jwksPort = (jwksServer.address() as AddressInfo).port
})

test.after.always(() => new Promise<void>((resolve) => (jwksServer ? jwksServer.close(() => resolve()) : resolve())))

function configYaml(jwtProviders: string[]): string {
  const q = (text: string) => JSON.stringify(text)
  return [
    'version: 2.0.0',
    'logging: { level: debug, format: console }',
    'store: { enabled: false }',
    'services: []',
    'server: { port: 8080 }',
    `jwt: { exp: 3600, iss: authotron-test, secret: ${q(MINT_SECRET)} }`,
    // The legacy X-Auth-* response headers: more values that become response headers.
    'include_legacy_headers: true',
    'providers:',
    `  - { type: plain, name: local, realm: local, users: [` +
      `{ username: ${q(ALICE.username)}, password: ${q(ALICE.password)}, roles: ${JSON.stringify(INJECTING_ROLES)} }, ` +
      `{ username: ${q(BOB.username)}, password: ${q(BOB.password)}, roles: [plain] }] }`,
    ...jwtProviders.map(
      (name) => `  - { type: jwt, name: ${name}, realm: ${name}, cert_uri: "http://127.0.0.1:${jwksPort}/${name}/jwks", iam_realm: ignored }`,
    ),
    '',
  ].join('\n')
}

/**
 * `authotron compile --nginx-snippets`, once per suite (a Node process per leg would add to the
 * load every other test file shares), copied into each leg's prefix with that prefix's JWK Set
 * cache directory; once per prefix, since a reload renders the conf again.
 */
const compiledOnce = new Map<string, { dir: string; config: string }>()
const compiled = new Map<string, string>()
function compileOnce(prefix: string, jwtProviders: string[]): string {
  const known = compiled.get(prefix)
  if (known !== undefined) return known
  const suiteKey = jwtProviders.join(',')
  let once = compiledOnce.get(suiteKey)
  if (once === undefined) {
    const dir = mkdtempSync(join(tmpdir(), 'aot-hostile-'))
    const source = join(dir, 'hostile-config.yaml')
    const config = join(dir, 'hostile-config.json')
    writeFileSync(source, configYaml(jwtProviders))
    const run = spawnSync(
      process.execPath,
      [AUTHOTRON_CLI, 'compile', source, '-o', config, '-q', '--nginx-snippets', dir, '--jwks-cache-dir', join(dir, 'jwks-cache')],
      { encoding: 'utf8' },
    )
    if (run.status !== 0) throw new Error(`authotron compile failed:\n${run.stderr}`)
    once = { dir, config }
    compiledOnce.set(suiteKey, once)
  }
  for (const snippet of ['authotron-jwks-http.conf', 'authotron-jwks-locations.conf']) {
    const text = readFileSync(join(once.dir, snippet), 'utf8').split(join(once.dir, 'jwks-cache')).join(join(prefix, 'jwks-cache'))
    writeFileSync(join(prefix, snippet), text)
  }
  const target = join(prefix, 'hostile-config.json')
  writeFileSync(target, readFileSync(once.config))
  chmodSync(target, 0o644) // QuickJS workers (nobody) read it; it holds only test secrets
  compiled.set(prefix, target)
  return target
}

test.after.always(() => {
  for (const { dir } of compiledOnce.values()) rmSync(dir, { recursive: true, force: true })
})

function suiteWith(label: string, jwtProviders: string[]) {
  return withNginxOnEveryLeg(test, {
    label,
    legs: selectedLegs(),
    portNames: ['backend'],
    conf: (context) => {
      const config = compileOnce(context.paths.prefix, jwtProviders)
      return `
        js_import authotron from ${context.paths.module};
        js_preload_object authotron_cfg from ${config};
        js_var $authotron_config_file ${config};
        include ${context.paths.prefix}/authotron-jwks-http.conf;
        ${protectedApiConf(context, `include ${context.paths.prefix}/authotron-jwks-locations.conf;`)}`
    },
  })
}

const suite = suiteWith('hostile', ['hs'])
/** The 10 MB JWK Set gets an nginx of its own: every Bearer without X-Auth-Realm tries every provider. */
const faulty = suiteWith('hostile-jwks', ['hs', 'huge'])

/** What must never be in the error log: a worker that died, or an exception nobody caught. */
const WORKER_TROUBLE = /exited on signal|exited with (fatal )?code [1-9]|\[alert\]|\[crit\]|ERR_UNEXPECTED|js exception|core dumped/

/** Every token nginx minted in this file's tests, per leg, for the secrets scan. */
const mintedTokens = new Map<string, string[]>()
function collectMinted(nginx: NginxServer, response: RawResponse) {
  const authorization = response.headers['authorization']?.[0]
  if (authorization !== undefined && authorization.startsWith('Bearer ')) {
    const list = mintedTokens.get(nginx.leg.name) ?? []
    list.push(authorization.slice(7))
    mintedTokens.set(nginx.leg.name, list)
  }
}

function mintedClaims(response: RawResponse): { [claim: string]: unknown } {
  const token = response.headers['authorization']?.[0]?.slice(7) ?? ''
  return JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8'))
}

// --- point 2: hostile input -------------------------------------------------------------------

interface HostileInput {
  what: string
  lines: (string | Buffer)[]
  method?: string
  path?: string
  /** The documented answers (README "Security"). */
  expect: number[]
}

const REFUSED = [401]
/** nginx's own refusal of a request line or header it cannot parse (400, or 494 shown as 400). */
const NGINX_OR_MODULE = [400, 401]

function hostileInputs(): HostileInput[] {
  const inputs: HostileInput[] = []
  const add = (what: string, lines: (string | Buffer)[], expect: number[], extra: Partial<HostileInput> = {}) => {
    inputs.push({ what, lines, expect, ...extra })
    // The same through auth_request (nginx/authotron-protect.conf).
    inputs.push({ what: `${what} via /api/`, lines, expect, ...extra, path: '/api/x' })
  }
  const auth = (value: string | Buffer) =>
    Buffer.isBuffer(value) ? Buffer.concat([Buffer.from('Authorization: '), value]) : `Authorization: ${value}`

  // Oversized: up to what one 8k header buffer holds (the module refuses), and past it (nginx does).
  for (const size of [1024, 4096, 7000, 8200, 16384, 65536]) {
    add(`Basic credential of ${size} bytes`, [auth('Basic ' + 'QUFB'.repeat(size / 4))], size < 8000 ? REFUSED : [400, 431])
    add(`Bearer of ${size} bytes`, [auth('Bearer ' + 'a'.repeat(size))], size < 8000 ? REFUSED : [400, 431])
  }
  add('a 3 MB JWT', [auth('Bearer ' + signedJwt({ sub: 'x', exp: now() + 600, pad: 'y'.repeat(3 * 1024 * 1024) }))], [400, 431])
  // Many parts, commas.
  add('1,000 commas', [auth('Basic dGVzdA==' + ','.repeat(1000))], REFUSED)
  add('1,000 commas alone', [auth(','.repeat(1000))], REFUSED)
  add('200 repeated parts', [auth(Array(200).fill(basic('alice', 'wrong')).join(', '))], REFUSED)
  add('500 distinct parts', [auth(Array.from({ length: 500 }, (_, i) => `Basic ${b64url('u' + i + ':p').replace(/-|_/g, 'A')}=`).join(','))], REFUSED)
  add('2,000 spaces between scheme and credential', [auth('Basic' + ' '.repeat(2000) + 'dGVzdA==')], REFUSED)
  add('a tab-separated scheme', [auth('Basic\t' + basic('alice', 'wrong').slice(6))], REFUSED)
  add('an empty Authorization', [auth('')], REFUSED)
  add('scheme only', [auth('Basic')], REFUSED)
  add('1,000 schemes', [auth(Array.from({ length: 1000 }, (_, i) => `S${i} x`).join(','))], REFUSED)
  // Control bytes, in the credential and in the scheme (LF/CR end the header line: nginx decides).
  for (let byte = 0; byte < 0x20; byte++) {
    const c = String.fromCharCode(byte)
    add(`control byte 0x${byte.toString(16)} in the credential`, [auth(`Basic dGVz${c}dA==`)], NGINX_OR_MODULE)
    add(`control byte 0x${byte.toString(16)} in the scheme`, [auth(`Ba${c}sic dGVzdA==`)], NGINX_OR_MODULE)
  }
  add('DEL in the credential', [auth('Basic dGVz\x7fdA==')], REFUSED)
  add('a base64 credential of NUL bytes', [auth('Basic ' + Buffer.alloc(12).toString('base64'))], REFUSED)
  add('a credential decoding to control bytes', [auth(basic('al\x01ice', 'p\x00w'))], REFUSED)
  // Invalid UTF-8, raw in the header and inside valid base64.
  for (const bytes of [[0xff, 0xfe], [0xc3, 0x28], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xe2, 0x82]]) {
    const raw = Buffer.from(bytes)
    add(`raw bytes ${raw.toString('hex')} in the header`, [auth(Buffer.concat([Buffer.from('Basic '), raw]))], NGINX_OR_MODULE)
    add(`bytes ${raw.toString('hex')} as the base64 credential`, [auth('Basic ' + Buffer.concat([Buffer.from('alice:'), raw]).toString('base64'))], REFUSED)
    add(`bytes ${raw.toString('hex')} as a JWT payload`, [auth('Bearer ' + signedJwt(raw.toString('latin1')))], REFUSED)
    add(`bytes ${raw.toString('hex')} in X-Auth-Realm`, [auth(basic('alice', 'wrong')), Buffer.concat([Buffer.from('X-Auth-Realm: '), raw])], NGINX_OR_MODULE)
  }
  // Validly signed JWTs with hostile claims: they reach claim parsing.
  const exp = now() + 3600
  // (A header line holds at most ~8 KB, so ~6 KB of JSON: 2,500 levels of arrays, 600 of objects,
  // whose attribute the backend behind /api/ gets twice.)
  for (const depth of [100, 1000, 2500]) {
    add(`claims nested ${depth} deep (arrays)`, [auth('Bearer ' + signedJwt(`{"sub":"deep","exp":${exp},"a":${'['.repeat(depth)}${']'.repeat(depth)}}`))], [200, 401])
  }
  for (const depth of [100, 600]) {
    add(`claims nested ${depth} deep (objects)`, [auth('Bearer ' + signedJwt(`{"sub":"deep","exp":${exp},"a":${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}}`))], [200, 401])
  }
  add('roles nested 1,000 deep', [auth('Bearer ' + signedJwt(`{"sub":"deep","exp":${exp},"realm_access":{"roles":${'['.repeat(1000)}${']'.repeat(1000)}}}`))], REFUSED)
  add('400 claims', [auth('Bearer ' + signedJwt({ sub: 'many', exp, ...Object.fromEntries(Array.from({ length: 400 }, (_, i) => [`c${i}`, i])) }))], [200])
  add('a 5 KB claim', [auth('Bearer ' + signedJwt({ sub: 'big', exp, big: 'z'.repeat(5000) }))], [200])
  add('600 roles', [auth('Bearer ' + signedJwt({ sub: 'roles', exp, realm_access: { roles: Array.from({ length: 600 }, (_, i) => `r${i}`) } }))], [200])
  // (Not bigger: through /api/ the backend gets it twice, in the minted JWT and X-Auth-Username.)
  add('a 2 KB sub', [auth('Bearer ' + signedJwt({ sub: 's'.repeat(2000), exp }))], [200])
  add('JSON with a duplicate sub', [auth('Bearer ' + signedJwt(`{"sub":"a","sub":"b","exp":${exp}}`))], [200])
  add('JSON with __proto__', [auth('Bearer ' + signedJwt(`{"sub":"p","exp":${exp},"__proto__":{"admin":true},"constructor":{"prototype":{"x":1}}}`))], [200])
  add('exp as a huge number', [auth('Bearer ' + signedJwt(`{"sub":"e","exp":1e400}`))], REFUSED)
  add('exp as a string', [auth('Bearer ' + signedJwt({ sub: 'e', exp: String(exp) }))], REFUSED)
  add('a payload of NUL characters', [auth('Bearer ' + signedJwt('\u0000'.repeat(100)))], REFUSED)
  add('a lone surrogate in sub', [auth('Bearer ' + signedJwt(`{"sub":"\\ud800","exp":${exp}}`))], [200, 401])
  add('a JWT with an unknown kid', [auth('Bearer ' + signedJwt({ sub: 'k', exp }, 'no-such-kid'))], REFUSED)
  add('a JWT with a 4 KB kid', [auth('Bearer ' + signedJwt({ sub: 'k', exp }, 'k'.repeat(4000)))], REFUSED)
  // Duplicated headers.
  add('two Authorization headers', [auth(basic(ALICE.username, ALICE.password)), auth(basic('alice', 'wrong'))], [400])
  add('Authorization and authorization', [auth(basic('alice', 'wrong')), `authorization: ${basic('alice', 'wrong')}`], [400])
  add('two X-Auth-Realm headers', [auth(basic('alice', 'wrong')), 'X-Auth-Realm: local', 'X-Auth-Realm: hs'], [400, 401])
  add('an X-Auth-Realm of 6 KB', [auth(basic('alice', 'wrong')), 'X-Auth-Realm: ' + 'r'.repeat(6000)], REFUSED)
  add('an X-Auth-Realm with commas', [auth(basic('alice', 'wrong')), 'X-Auth-Realm: local,hs,,'], REFUSED)
  add('120 headers', [auth(basic('alice', 'wrong')), ...Array.from({ length: 120 }, (_, i) => `X-Pad-${i}: ${'p'.repeat(60)}`)], REFUSED)
  add('a header line without a colon', [auth(basic('alice', 'wrong')), 'NoColonHere'], NGINX_OR_MODULE)
  add('an obsolete folded header', [auth('Basic'), ' ' + basic('alice', 'wrong').slice(6)], [400, 401])
  // Odd methods.
  for (const method of ['POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'TRACE', 'PROPFIND', 'FOO', 'get', 'M'.repeat(2000)]) {
    add(`method ${method.slice(0, 20)}`, [auth(basic('alice', 'wrong'))], [400, 401, 405], { method })
  }
  // Generated junk, seeded: visible ASCII with commas and spaces, and any byte.
  const junk = fc.sample(
    fc.oneof(
      fc.string({ unit: fc.constantFrom('Basic', 'Bearer', ' ', ',', 'dGVzdA==', 'a.b.c', '=', '\t'), maxLength: 30 }),
      fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes.filter((b) => b !== 0x0a && b !== 0x0d))),
    ),
    { numRuns: 120, seed: 19 },
  )
  junk.forEach((value, i) => add(`generated value #${i}`, [auth(value)], NGINX_OR_MODULE))
  return inputs
}

/** Where header injection would show: a response header the client did not expect. */
function assertNoInjection(t: { true(value: boolean, message?: string): void; false(value: boolean, message?: string): void }, what: string, response: RawResponse) {
  t.false('x-injected' in response.headers, `${what}: a response header was injected: ${JSON.stringify(response.headers)}`)
  for (const [name, values] of Object.entries(response.headers)) {
    for (const value of values) t.false(/[\x00-\x08\x0a-\x1f\x7f]/.test(value), `${what}: ${name} holds a control character`)
  }
}

suite.serial('hostile input: every answer as documented, no 5xx, no dropped connection, no worker lost', async (t, nginx) => {
  const offset = nginx.errorLogSize()
  const inputs = hostileInputs()
  const started = Date.now()
  const wrong: string[] = []
  for (const input of inputs) {
    let response: RawResponse
    try {
      response = await rawRequest(nginx.port, input.path ?? '/authenticate', input.lines, input.method)
    } catch (e) {
      wrong.push(`${input.what}: no answer (${String(e)})`)
      continue
    }
    collectMinted(nginx, response)
    if (!input.expect.includes(response.status)) wrong.push(`${input.what}: ${response.status}, expected ${input.expect.join('/')}`)
    assertNoInjection(t, input.what, response)
  }
  const log = nginx.errorLogSince(offset)
  t.deepEqual(wrong, [])
  t.false(WORKER_TROUBLE.test(log), `the error log shows trouble:\n${log.match(new RegExp(WORKER_TROUBLE.source, 'g'))}`)
  t.log(`${nginx.leg.name}: ${inputs.length} hostile inputs in ${((Date.now() - started) / 1000).toFixed(1)} s`)
})

suite.serial('header injection: usernames, roles and claims with CR/LF become no response header', async (t, nginx) => {
  const exp = now() + 3600
  const cases: [string, string[], string][] = [
    ['a username with CR/LF', [`Authorization: ${basic(BOB.username, BOB.password)}`], 'bobX-Injected;user'],
    ['roles with CR/LF, tab, NUL', [`Authorization: ${basic(ALICE.username, ALICE.password)}`], 'alice'],
    [
      'a JWT whose claims carry CR/LF',
      [
        'Authorization: Bearer ' +
          signedJwt({
            sub: 'jwt\r\nX-Injected: sub',
            preferred_username: 'pref\r\nX-Injected: username\r\n\r\nbody',
            exp,
            realm_access: { roles: ['ok', 'r\r\nX-Injected: role'] },
            note: 'attr\r\nX-Injected: attribute',
          }),
      ],
      'prefX-Injected: usernamebody',
    ],
  ]
  for (const [what, lines, username] of cases) {
    for (const path of ['/authenticate', '/api/echo']) {
      const response = await rawRequest(nginx.port, path, lines)
      t.is(response.status, 200, `${what} ${path}`)
      assertNoInjection(t, `${what} ${path}`, response)
      if (path === '/authenticate') {
        collectMinted(nginx, response)
        t.is(response.headers['x-auth-username']?.[0], username, what)
        // The minted token keeps the exact values (JSON escapes them); only headers are cleaned.
        const claims = mintedClaims(response)
        t.is(typeof claims.username, 'string')
      } else {
        // The backend got one line per header: nothing smuggled into the request to it either.
        t.true(response.body.includes(`username=${username}\n`), `${what}: ${response.body}`)
        t.false(/X-Injected/i.test(response.body.split('\n').filter((line) => !line.startsWith('username=') && !line.startsWith('roles=')).join('\n')), response.body)
      }
    }
  }
  const roles = await rawRequest(nginx.port, '/authenticate', [`Authorization: ${basic(ALICE.username, ALICE.password)}`])
  t.is(roles.headers['x-auth-roles']?.[0], 'reader,aX-Injected: role,tab\there,nulbyte,é'.replace('é', Buffer.from('é').toString('latin1')))
})

// --- point 3: faults --------------------------------------------------------------------------

faulty.serial('a JWK Set upstream answering 10 MB: 401, no worker lost, other realms unaffected', async (t, nginx) => {
  const offset = nginx.errorLogSize()
  const token = signedJwt({ sub: 'huge', exp: now() + 600 })
  const answers: string[] = []
  for (const [lines, paths] of [[['X-Auth-Realm: huge'], ['/authenticate', '/api/x']], [[], ['/authenticate']]] as const) {
    for (const path of paths) {
      const answer = await rawRequest(nginx.port, path, [`Authorization: Bearer ${token}`, ...lines]).then(
        (response) => String(response.status),
        (e: Error) => `no answer (${e.message})`,
      )
      answers.push(`${path} ${lines.join('') || 'any realm'}: ${answer}`)
    }
  }
  // The relay hop (authotron-jwks-http.conf) takes the oversized answer: the client gets its 401
  // (test/integration/jwks-faults.test.ts covers the sizes), no worker is lost, other realms serve.
  // Without X-Auth-Realm the token is tried by `hs` too, whose JWK Set holds its key: 200.
  t.deepEqual(
    answers,
    ['/authenticate X-Auth-Realm: huge: 401', '/api/x X-Auth-Realm: huge: 401', '/authenticate any realm: 200'],
    answers.join('\n'),
  )
  t.log(`${nginx.leg.name}: ${answers.join('; ')}`)
  const good = await rawRequest(nginx.port, '/authenticate', [`Authorization: Bearer ${token}`, 'X-Auth-Realm: hs'])
  t.is(good.status, 200)
  collectMinted(nginx, good)
  const log = nginx.errorLogSince(offset)
  t.false(WORKER_TROUBLE.test(log), log)
})

/**
 * What a reload with a broken compiled config does depends on the engine (README "Security"):
 * the njs engine parses `js_preload_object` when nginx reads its configuration, so the reload
 * fails and the old workers keep serving — with `[emerg] failed to initialize preload objects`
 * from njs 0.8 on, silently on 0.7.9 (whose `nginx -t` says only "test failed"). QuickJS has no
 * preloaded objects: the module reads the file in each new worker, so nginx reloads, and every
 * request is refused with 500 and an error-log line naming the file and the parse error (fail
 * closed: nothing is let through).
 */
suite.serial('a broken compiled config and a reload: refused (old workers serve) or fails closed, and the log says why', async (t, nginx) => {
  const configFile = compiled.get(nginx.paths.prefix)!
  const good = readFileSync(configFile)
  const credential = `Authorization: ${basic(ALICE.username, ALICE.password)}`
  const wrongPassword = `Authorization: ${basic(ALICE.username, 'wrong')}`
  const quickJs = nginx.leg.expected.engine === 'QuickJS'
  t.is((await rawRequest(nginx.port, '/authenticate', [credential])).status, 200)
  const master = Number(readFileSync(join(nginx.paths.prefix, 'nginx.pid'), 'utf8').trim())
  try {
    for (const broken of ['{"format": 4, "providers": [', '', '\u0000\u0001garbage']) {
      const offset = nginx.errorLogSize()
      writeFileSync(configFile, broken)
      process.kill(master, 'SIGHUP')
      // Until the master has decided: new workers started, or the reload failed (a log line, or
      // on 0.7.9 nothing at all — then the time is the only sign).
      const deadline = Date.now() + 3000
      while (Date.now() < deadline && !/start worker process|\[emerg\]/.test(nginx.errorLogSince(offset))) {
        await new Promise((resolve) => setTimeout(resolve, 50))
      }
      await new Promise((resolve) => setTimeout(resolve, 300))
      // On QuickJS the old worker may still take a request or two before it goes: wait for the new one.
      for (let tries = 0; quickJs && tries < 50; tries++) {
        if ((await rawRequest(nginx.port, '/authenticate', [wrongPassword])).status === 500) break
        await new Promise((resolve) => setTimeout(resolve, 100))
      }
      const statuses: number[] = []
      for (const line of [credential, credential, wrongPassword]) {
        const response = await rawRequest(nginx.port, '/authenticate', [line])
        statuses.push(response.status)
        collectMinted(nginx, response)
      }
      const log = nginx.errorLogSince(offset)
      if (quickJs) {
        t.deepEqual(statuses, [500, 500, 500], `${JSON.stringify(broken)}: QuickJS fails closed`)
        t.regex(log, /\[error\].*ERR_CONFIG_FORMAT cannot read the compiled config .*hostile-config\.json/, log)
      } else {
        t.deepEqual(statuses, [200, 200, 401], `${JSON.stringify(broken)}: the old workers serve the old config`)
        t.notRegex(log, /start worker process/, `${JSON.stringify(broken)}: nginx started workers with a broken config`)
        if (nginx.leg.features.sharedDict) t.regex(log, /\[emerg\].*failed to initialize preload objects/, log)
      }
      t.false(WORKER_TROUBLE.test(log), log)
      t.log(`${nginx.leg.name} ${JSON.stringify(broken)}: ${statuses.join(' ')}; ${(log.match(/\[(emerg|error)\].*/) ?? ['nothing logged'])[0].replace(/^.*?\] \d+#\d+: /, '')}`)
    }
  } finally {
    writeFileSync(configFile, good)
  }
  await nginx.reload()
  t.is((await rawRequest(nginx.port, '/authenticate', [credential])).status, 200)
})

// --- point 4: reload under load ---------------------------------------------------------------

const RELOAD_SECONDS = Number(process.env.AOT_RELOAD_SECONDS ?? 8)

suite.serial(`reload under load: nginx -s reload every second for ${RELOAD_SECONDS} s, no failed request`, async (t, nginx) => {
  const offset = nginx.errorLogSize()
  const exp = now() + 3600
  /** [header lines, expected status, expected minted username] */
  const clients: [string[], number, string | undefined][] = [
    [[`Authorization: ${basic(ALICE.username, ALICE.password)}`], 200, 'alice'],
    [[`Authorization: ${basic(ALICE.username, 'wrong-' + ALICE.password)}`], 401, undefined],
    [[`Authorization: ${basic(BOB.username, BOB.password)}`], 200, BOB.username],
    [[`Authorization: Bearer ${signedJwt({ sub: 'jwt-user', exp })}`, 'X-Auth-Realm: hs'], 200, 'jwt-user'],
    [[`Authorization: Bearer ${signedJwt({ sub: 'jwt-user', exp }).slice(0, -2)}AA`], 401, undefined],
  ]
  let stop = false
  let requests = 0
  const failures: string[] = []
  const run = async ([lines, status, username]: (typeof clients)[number], ...paths: string[]) => {
    for (let n = 0; !stop; n++) {
      const path = paths[n % paths.length]
      try {
        const response = await rawRequest(nginx.port, path, lines)
        requests++
        if (response.status !== status) failures.push(`${lines[0].slice(0, 40)} ${path}: ${response.status}`)
        else if (username !== undefined && path === '/authenticate') {
          // Grant cache consistency: the token minted is this credential's own.
          const minted = mintedClaims(response)
          if (minted.username !== username) failures.push(`${lines[0].slice(0, 40)}: minted for ${String(minted.username)}`)
        }
      } catch (e) {
        requests++
        failures.push(`${lines[0].slice(0, 40)} ${path}: ${String(e)}`)
      }
    }
  }
  // One client per credential, alternating between /authenticate and auth_request (/api/x).
  const running = clients.map((client, i) => run(client, i % 2 === 0 ? '/authenticate' : '/api/x', i % 2 === 0 ? '/api/x' : '/authenticate'))
  // What `nginx -s reload` does: one SIGHUP to the master, not waiting for the old workers.
  const master = Number(readFileSync(join(nginx.paths.prefix, 'nginx.pid'), 'utf8').trim())
  const started = Date.now()
  let reloads = 0
  while (Date.now() - started < RELOAD_SECONDS * 1000) {
    await new Promise((resolve) => setTimeout(resolve, 1000))
    process.kill(master, 'SIGHUP')
    reloads++
  }
  // Let the last reload take effect under load before the clients stop.
  const counts = () => {
    const text = nginx.errorLogSince(offset)
    // "signal 1 (SIGHUP) received from …, reconfiguring" then "reconfiguring": two lines a reload.
    return { reconfigured: (text.match(/reconfiguring/g) ?? []).length / 2, workersStarted: (text.match(/start worker process \d+/g) ?? []).length }
  }
  // (A SIGHUP pending while the master reconfigures is handled after it: wait until every reload
  // begun has started its worker and nothing changed for 1.5 s.)
  let settled = { reconfigured: -1, workersStarted: -1 }
  for (let quietSince = Date.now(), deadline = Date.now() + 10_000; Date.now() < deadline; ) {
    await new Promise((resolve) => setTimeout(resolve, 100))
    const now = counts()
    if (now.reconfigured !== settled.reconfigured || now.workersStarted !== settled.workersStarted) quietSince = Date.now()
    settled = now
    if (now.workersStarted >= now.reconfigured && Date.now() - quietSince > 1500) break
  }
  await new Promise((resolve) => setTimeout(resolve, 500))
  stop = true
  await Promise.all(running)
  const seconds = (Date.now() - started) / 1000
  const log = nginx.errorLogSince(offset)
  const { reconfigured, workersStarted } = counts()
  t.deepEqual(failures.slice(0, 10), [], `${failures.length} failed of ${requests}`)
  // A SIGHUP that arrives while the master is still reconfiguring merges with the pending one
  // (as with `nginx -s reload`): count the reloads the master did.
  t.true(reconfigured >= 5, `only ${reconfigured} reloads done (${reloads} SIGHUPs sent)`)
  t.true(workersStarted >= reconfigured, `${workersStarted} workers started for ${reconfigured} reloads`)
  t.false(WORKER_TROUBLE.test(log), `the error log shows trouble:\n${log.match(new RegExp(WORKER_TROUBLE.source, 'g'))}`)
  t.log(`${nginx.leg.name}: ${reloads} SIGHUPs, ${reconfigured} reloads done, ${workersStarted} workers started in ${seconds.toFixed(1)} s, ${requests} requests, ${failures.length} failed`)
})

// --- point 5: secrets -------------------------------------------------------------------------

suite.serial('secrets: no password, credential or token in the logs, the JWK Set cache or a minted JWT', async (t, nginx) => {
  // One more round of every kind of credential, right and wrong, so the scan has something to find.
  const bearer = signedJwt({ sub: 'scan', exp: now() + 600 })
  const lines = [
    [`Authorization: ${basic(ALICE.username, ALICE.password)}`],
    [`Authorization: ${basic(ALICE.username, ALICE.password + 'x')}`],
    [`Authorization: ${basic('nobody', ALICE.password)}`],
    [`Authorization: ${basic(BOB.username, BOB.password)}`],
    [`Authorization: Bearer ${bearer}`, 'X-Auth-Realm: hs'],
    [`Authorization: Bearer ${bearer}x`],
    [`Authorization: ${basic(ALICE.username, ALICE.password)}`, `Authorization: Bearer ${bearer}`],
    [`Authorization: ${basic(ALICE.username, ALICE.password)}`, `X-Bad\u0001Name: ${basic(BOB.username, BOB.password)}`],
  ]
  for (const request of lines) {
    for (const path of ['/authenticate', '/api/x']) collectMinted(nginx, await rawRequest(nginx.port, path, request))
  }
  const secrets: [string, string][] = [
    ['alice password', ALICE.password],
    ['bob password', BOB.password],
    ['alice Basic credential', basic(ALICE.username, ALICE.password).slice(6)],
    ['alice wrong Basic credential', basic(ALICE.username, ALICE.password + 'x').slice(6)],
    ['bob Basic credential', basic(BOB.username, BOB.password).slice(6)],
    ['a Bearer token (signature)', bearer.split('.')[2]],
    ['a Bearer token (signed part)', bearer.split('.').slice(0, 2).join('.')],
    ['the JWK Set HMAC key (base64url)', b64url(HMAC_KEY)],
    ['the mint secret', MINT_SECRET],
  ]
  // nginx's own info lines quote a rejected header line whole: documented, avoided by logging at
  // notice (hardening.test.ts proves it); everything else in the log is scanned.
  const errorLog = nginx.errorLog().split('\n')
  const nginxQuotes = /\[info\].*client sent (duplicate|invalid) header line/
  const scanned = errorLog.filter((line) => !nginxQuotes.test(line)).join('\n')
  const places: [string, string][] = [
    ['error log', scanned],
    ['access log', existsSync(nginx.paths.accessLog) ? readFileSync(nginx.paths.accessLog, 'latin1') : ''],
  ]
  const cacheDir = join(nginx.paths.prefix, 'jwks-cache')
  for (const file of filesUnder(cacheDir)) places.push([`cache file ${file}`, readFileSync(file, 'latin1')])
  const tokens = mintedTokens.get(nginx.leg.name) ?? []
  for (const [i, token] of tokens.entries()) {
    places.push([`minted JWT #${i} (payload)`, Buffer.from(token.split('.')[1], 'base64url').toString('utf8')])
    places.push([`minted JWT #${i}`, token])
  }
  const found: string[] = []
  for (const [where, text] of places) {
    for (const [what, secret] of secrets) {
      // The cache holds the JWK Set, whose key is public to the gateway by design; the minted
      // tokens are signed with the mint secret, not carrying it.
      if (what.startsWith('the JWK Set') && where.startsWith('cache file')) continue
      if (text.includes(secret)) found.push(`${what} in ${where}`)
    }
  }
  t.deepEqual(found, [])
  t.true(tokens.length > 10, `only ${tokens.length} minted tokens scanned`)
  t.log(`${nginx.leg.name}: ${secrets.length} secrets × ${places.length} places (error log ${places[0][1].length} B without ${errorLog.length - scanned.split('\n').length} nginx header quotes, access log ${places[1][1].length} B, ${places.length - 2 - 2 * tokens.length} cache files, ${tokens.length} minted JWTs): none found`)
})

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return []
  const files: string[] = []
  for (const name of readdirSync(dir)) {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) files.push(...filesUnder(path))
    else files.push(path)
  }
  return files
}
