/**
 * https services and their CA bundle (`ca_file`, issue 15 point 2), in real nginx on every runtime
 * leg: a throwaway CA made at test time (test/support/tls.ts) signs a certificate for `localhost`,
 * and the recording fake of ECMWF's who-am-i serves its answers and a JWK Set over node:https with
 * it. The same service is configured three times per kind: with the CA that signed it (works), with
 * another CA, and with none (the system bundle, which does not know our CA): both refused by
 * nginx's verification, answered 401 (never 500), and no line of the error log holds the key.
 */
import test from 'ava'
import { rmSync } from 'node:fs'
import { jwtVerify, SignJWT } from 'jose'
import type { NginxServer } from '../nginx-harness/nginx'
import { makeTempDir } from '../nginx-harness/paths'
import { selectedLegs, type LegName } from '../nginx-harness/runtimes'
import { withNginxOnEveryLeg } from '../support/suite'
import { startFakeRemote, type FakeRemote } from '../support/fake-remote'
import { whoAmI } from '../support/fake-ecmwf'
import { makeTestCa, type TestCa } from '../support/tls'
import { compileWithSnippets, moduleWithSnippetsConf } from '../support/compile-with-snippets'
import { keyPair, type KeyPair } from './jwt-fixtures'

const MINT_SECRET = 'remote-tls-integration-secret-0123456789'
const KEY = 'tls-key-adam-0123456789'
const ACCOUNTS = { [KEY]: { uid: 'adam', email: 'adam@ecmwf.int' } }
/** What the module logs when nginx got no answer of the service (docs/remote.md, "What the log says"). */
const UNREACHABLE = 'the service could not be reached (refused, reset, or TLS failure: certificate not trusted or not for this host)'

interface LegFixture {
  dir: string
  ca: TestCa
  remote: FakeRemote
  signer: KeyPair
}

const legs = selectedLegs()
const fixtures = new Map<LegName, LegFixture>()

test.serial.before(async () => {
  for (const leg of legs) {
    const dir = makeTempDir(`remote-tls-${leg.name}`)
    const ca = makeTestCa(dir, ['localhost'])
    const signer = await keyPair('EC', 'tls-ec-1')
    const remote = await startFakeRemote(
      {
        '/v1/who-am-i': whoAmI(ACCOUNTS),
        '/certs': () => ({ status: 200, body: { keys: [signer.publicJwk] } }),
      },
      { tls: ca },
    )
    fixtures.set(leg.name, { dir, ca, remote, signer })
  }
})

test.after.always(async () => {
  for (const fixture of fixtures.values()) {
    await fixture.remote.stop()
    if (process.env.AOT_KEEP_TMP !== '1') rmSync(fixture.dir, { recursive: true, force: true })
  }
})

function configYaml({ ca, remote }: LegFixture): string {
  // A host name the certificate names: nginx checks the name (proxy_ssl_name), and an IP is not one.
  const base = `https://localhost:${remote.port}`
  const api = (name: string, realm: string, caFile?: string) =>
    `  - { type: ecmwf-api, name: ${name}, realm: ${realm}, uri: "${base}/v1"${caFile ? `, ca_file: ${caFile}` : ''} }`
  const jwt = (name: string, realm: string, caFile?: string) =>
    `  - { type: jwt, name: ${name}, realm: ${realm}, cert_uri: "${base}/certs", iam_realm: x${caFile ? `, ca_file: ${caFile}` : ''} }`
  return [
    'version: 2.0.0',
    'logging: { level: debug, format: console }',
    'store: { enabled: false }',
    'services: []',
    'server: { port: 8080 }',
    `jwt: { exp: 3600, iss: authotron-test, secret: ${MINT_SECRET} }`,
    'auth: { timeout_in_ms: 5000, grant_cache_ttl_in_ms: 0 }',
    'providers:',
    api('api-trusted', 'trusted', ca.caFile),
    api('api-other-ca', 'otherca', ca.otherCaFile),
    api('api-system-ca', 'systemca'),
    jwt('jwks-trusted', 'jwkstrusted', ca.caFile),
    jwt('jwks-other-ca', 'jwksotherca', ca.otherCaFile),
    '',
  ].join('\n')
}

const suite = withNginxOnEveryLeg(test, {
  label: 'tls',
  legs,
  conf: (context) => {
    const config = compileWithSnippets(configYaml(fixtures.get(context.leg.name)!), context.paths.prefix, { name: 'remote-tls-config' })
    return moduleWithSnippetsConf(context, config)
  },
})

const fixture = (nginx: NginxServer) => fixtures.get(nginx.leg.name)!

function bearer(nginx: NginxServer, token: string, realm: string) {
  return fetch(nginx.url('/authenticate'), {
    headers: { Authorization: `Bearer ${token}`, 'X-Auth-Realm': realm, Connection: 'close' },
  })
}

async function minted(response: Response) {
  const authorization = response.headers.get('authorization') ?? ''
  const { payload } = await jwtVerify(authorization.replace(/^Bearer /, ''), new TextEncoder().encode(MINT_SECRET))
  return payload
}

async function signedToken({ signer }: LegFixture): Promise<string> {
  const now = Math.floor(Date.now() / 1000)
  return new SignJWT({ sub: 'machine', preferred_username: 'adam', iat: now, exp: now + 300 })
    .setProtectedHeader({ alg: 'ES256', kid: signer.kid })
    .sign(signer.privateKey)
}

// --- ecmwf-api over https -----------------------------------------------------------------------

suite.serial('https with the CA that signed the service: 200, mapped; the call went over TLS', async (t, nginx) => {
  const { remote } = fixture(nginx)
  const response = await bearer(nginx, KEY, 'trusted')
  t.is(response.status, 200)
  t.like(await minted(response), { username: 'adam', realm: 'trusted', attributes: { 'ecmwf-email': 'adam@ecmwf.int' } })
  const calls = remote.requests('/v1/who-am-i').filter((request) => request.query.get('token') === KEY)
  t.true(calls.length >= 1, 'the https fake answered it')
  t.is(calls[0].headers.host, `localhost:${remote.port}`)
})

for (const [what, realm, provider] of [
  ['another CA', 'otherca', 'api-other-ca'],
  ['no ca_file (the system bundle)', 'systemca', 'api-system-ca'],
] as const) {
  suite.serial(`https with ${what}: 401 ERR_REMOTE_UNAVAILABLE, nginx refused the certificate, the key in no log line`, async (t, nginx) => {
    const { remote } = fixture(nginx)
    const offset = nginx.errorLogSize()
    const connectionsBefore = remote.connections()
    const requestsBefore = remote.requests().length
    const response = await bearer(nginx, KEY, realm)
    t.is(response.status, 401)
    t.regex(response.headers.get('www-authenticate') ?? '', /Bearer/)
    const log = nginx.errorLogSince(offset)
    t.regex(log, new RegExp(`auth\\.provider\\.failed provider="${provider}" code="ERR_REMOTE_UNAVAILABLE"`))
    t.true(
      log.includes(`remote.call.failed provider="${provider}" url="https://localhost:${remote.port}/v1/who-am-i" status=502 reason="${UNREACHABLE}"`),
      'the module says why, naming the URL without the key',
    )
    t.false(log.includes(KEY), 'no line of the error log holds the key')
    // nginx completed the handshake, checked the certificate, and closed without sending the request.
    t.true(remote.connections() > connectionsBefore, 'nginx reached the service over TLS')
    t.is(remote.requests().length, requestsBefore, 'but sent it no request')
    t.notRegex(log, /\[alert\]|\[crit\]|exited on signal/)
  })
}

// --- a JWK Set over https -----------------------------------------------------------------------

suite.serial('a jwt provider\'s https cert_uri with its CA: the JWK Set is fetched, the token verified', async (t, nginx) => {
  const token = await signedToken(fixture(nginx))
  const response = await bearer(nginx, token, 'jwkstrusted')
  t.is(response.status, 200)
  t.like(await minted(response), { username: 'adam', realm: 'jwkstrusted' })
  t.true(fixture(nginx).remote.requests('/certs').length >= 1)
})

// Runs after the trusted fetch on purpose: both locations proxy to one host:port, and nginx 1.22
// resumed the trusted location's TLS session here without checking the other CA (fixed by
// `proxy_ssl_session_reuse off` in the generated JWK Set location).
suite.serial('a jwt provider\'s https cert_uri with another CA: 401 ERR_JWKS_UNAVAILABLE, nginx logs the verify error, no token', async (t, nginx) => {
  const { remote } = fixture(nginx)
  const token = await signedToken(fixture(nginx))
  const offset = nginx.errorLogSize()
  const connectionsBefore = remote.connections()
  const requestsBefore = remote.requests('/certs').length
  const response = await bearer(nginx, token, 'jwksotherca')
  t.is(response.status, 401)
  const log = nginx.errorLogSince(offset)
  t.regex(log, /auth\.provider\.failed provider="jwks-other-ca" code="ERR_JWKS_UNAVAILABLE"/)
  // The JWK Set URL holds no credential: nginx's own line stays, and names the cause.
  t.regex(log, /upstream SSL certificate verify error: \(\d+:[^)]*(issuer|certificate)[^)]*\)/)
  t.false(log.includes(token), 'the token is in no log line')
  t.false(log.includes(token.split('.')[2]), 'nor its signature')
  t.true(remote.connections() > connectionsBefore, 'nginx reached the service over TLS')
  t.is(remote.requests('/certs').length, requestsBefore, 'but fetched nothing')
})
