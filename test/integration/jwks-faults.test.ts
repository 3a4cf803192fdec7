/**
 * Issue 19 point 3 on every runtime leg (two workers): a JWK Set endpoint answering more than the
 * 256 KiB a JWK Set may have — 256 KiB + 1, 1 MiB, 10 MiB, with and without Content-Length — gives
 * the client a 401 (ERR_JWKS_UNAVAILABLE), never a closed connection, and no worker dies: the
 * relay hop of authotron-jwks-http.conf takes the failure (src/providers/jwt/nginx-snippets.ts).
 * A set cached before the endpoint starts failing that way keeps verifying tokens.
 */
import test from 'ava'
import { exportJWK, generateKeyPair, SignJWT } from 'jose'
import { selectedLegs } from '../nginx-harness/runtimes'
import type { NginxServer } from '../nginx-harness/nginx'
import { withNginxOnEveryLeg } from '../support/suite'
import { startFakeRemote, type FakeRemote, type Reply } from '../support/fake-remote'
import { compileWithSnippets } from '../../bench/lib/remote-bench'
import { rawRequest } from './http-client'

const KIB = 1024
/** [name, bytes, with Content-Length] — the name is the provider's realm and its JWK Set path. */
const OVERSIZE: [string, number, boolean][] = [
  ['over256k-cl', 256 * KIB + 1, true],
  ['over256k-chunked', 256 * KIB + 1, false],
  ['onemib-cl', 1024 * KIB, true],
  ['onemib-chunked', 1024 * KIB, false],
  ['tenmib-cl', 10 * 1024 * KIB, true],
  ['tenmib-chunked', 10 * 1024 * KIB, false],
]
const CRASH = /exited on signal|exited with (fatal )?code [1-9]|\[alert\]|\[crit\]|[Aa]ssertion|core dumped|js exception/

const legs = selectedLegs()
let remote: FakeRemote
let privateKey: Awaited<ReturnType<typeof generateKeyPair>>['privateKey']
let jwks: string
/** What the `flaky` endpoint answers now. */
let flaky: Reply

const oversized = (bytes: number, contentLength: boolean): Reply => ({
  status: 200,
  bytes,
  headers: contentLength ? { 'Content-Length': String(bytes) } : {},
})

test.serial.before(async () => {
  const pair = await generateKeyPair('RS256')
  privateKey = pair.privateKey
  jwks = JSON.stringify({ keys: [{ ...(await exportJWK(pair.publicKey)), kid: 'k1', use: 'sig' }] })
  flaky = { status: 200, body: jwks }
  const routes: { [path: string]: () => Reply } = {
    '/good/jwks': () => ({ status: 200, body: jwks }),
    '/flaky/jwks': () => flaky,
  }
  for (const [name, bytes, contentLength] of OVERSIZE) routes[`/${name}/jwks`] = () => oversized(bytes, contentLength)
  remote = await startFakeRemote(routes)
})

test.after.always(async () => {
  await remote?.stop()
})

function configYaml(): string {
  const jwt = (name: string, extra = '') =>
    `  - { type: jwt, name: ${name}, realm: ${name}, cert_uri: "${remote.url(`/${name}/jwks`)}", iam_realm: test${extra} }`
  return [
    'version: 2.0.0',
    'logging: { level: debug, format: console }',
    'store: { enabled: false }',
    'services: []',
    'server: { port: 8080 }',
    'jwt: { exp: 3600, iss: authotron-test, secret: jwks-faults-secret-0123456789abcdef }',
    'auth: { timeout_in_ms: 3000, grant_cache_ttl_in_ms: 0 }',
    'providers:',
    jwt('good'),
    jwt('flaky', ', jwks_ttl: 1'),
    ...OVERSIZE.map(([name]) => jwt(name)),
    '',
  ].join('\n')
}

const suite = withNginxOnEveryLeg(test, {
  label: 'jwks-faults',
  legs,
  workers: 2,
  conf: ({ leg, port, paths }) => {
    const config = compileWithSnippets(paths.prefix, configYaml())
    return `
      js_import authotron from ${paths.module};
      js_preload_object authotron_cfg from ${config};
      js_var $authotron_config_file ${config};
      include ${paths.prefix}/authotron-jwks-http.conf;
      ${leg.features.sharedDict ? `include ${paths.repo}/nginx/authotron-cache.conf;` : ''}
      server {
        listen 127.0.0.1:${port} reuseport;
        include ${paths.repo}/nginx/authotron-endpoints.conf;
        include ${paths.prefix}/authotron-jwks-locations.conf;
      }`
  },
})

function token(subject: string): Promise<string> {
  return new SignJWT({ sub: subject, preferred_username: subject })
    .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
    .setIssuedAt()
    .setExpirationTime('1h')
    .sign(privateKey)
}

function authenticate(nginx: NginxServer, bearer: string, realm: string): Promise<string> {
  return rawRequest(nginx.port, '/authenticate', [`Authorization: Bearer ${bearer}`, `X-Auth-Realm: ${realm}`]).then(
    (response) => String(response.status),
    (e: Error) => `no answer (${e.message})`,
  )
}

suite.serial('JWK Sets above 256 KiB (256 KiB + 1, 1 MiB, 10 MiB; with and without Content-Length) → 401, no worker lost', async (t, nginx) => {
  const offset = nginx.errorLogSize()
  const bearer = await token('ann')
  const answers: string[] = []
  for (const [name] of OVERSIZE) answers.push(`${name}: ${await authenticate(nginx, bearer, name)}`)
  t.deepEqual(answers, OVERSIZE.map(([name]) => `${name}: 401`))
  const log = nginx.errorLogSince(offset)
  for (const [name] of OVERSIZE) {
    t.regex(log, new RegExp(`provider="${name}" code="ERR_JWKS_UNAVAILABLE"`), name)
    t.true(remote.requests(`/${name}/jwks`).length >= 1, `${name} was asked`)
  }
  t.deepEqual(log.split('\n').filter((line) => CRASH.test(line)), [])
  // The workers still serve, JWK Sets included.
  t.is(await authenticate(nginx, bearer, 'good'), '200')
})

suite.serial('a cached JWK Set keeps working once its endpoint answers 10 MiB', async (t, nginx) => {
  flaky = { status: 200, body: jwks }
  const bearer = await token('bob')
  t.is(await authenticate(nginx, bearer, 'flaky'), '200')
  const offset = nginx.errorLogSize()
  const asked = remote.requests('/flaky/jwks').length
  flaky = oversized(10 * 1024 * KIB, false)
  try {
    // jwks_ttl 1 s (+ 2 s margin in the shared dict): the set is refreshed from the endpoint.
    await new Promise((resolve) => setTimeout(resolve, 3500))
    for (let i = 0; i < 4; i++) t.is(await authenticate(nginx, await token(`bob${i}`), 'flaky'), '200')
    t.true(remote.requests('/flaky/jwks').length > asked, 'the failing endpoint was asked again')
    t.deepEqual(nginx.errorLogSince(offset).split('\n').filter((line) => CRASH.test(line)), [])
  } finally {
    flaky = { status: 200, body: jwks }
  }
})
