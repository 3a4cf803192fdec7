/**
 * `resolver` of the remote providers (issue 15 point 2), in real nginx on every runtime leg, against
 * a real DNS server: Debian's dnsmasq on 127.0.0.1:<free port> (test/support/dnsmasq.ts), one per
 * test file, answering `<leg>.svc.test` from a hosts file. Each leg has two recording fakes of
 * ECMWF's who-am-i on the same port, one on 127.0.0.1 and one on 127.0.0.2, which answer the same
 * key with different users: which one nginx reached shows where the name pointed.
 *
 * - With `resolver` (and `resolver_valid: 1`), nginx asks the DNS server while it runs: when the
 *   name moves to 127.0.0.2, requests follow it within the validity, without a reload.
 * - The same through https (the certificate checked against the name, `ca_file` a throwaway CA),
 *   and for a jwt provider's `cert_uri` (its JWK Set fetched through the name).
 * - Without `resolver`, the host goes into an `upstream {}` resolved when nginx loads its
 *   configuration, through the system's resolver, never the configured DNS server: nginx refuses to
 *   start with a name only dnsmasq knows.
 */
import test from 'ava'
import { rmSync } from 'node:fs'
import { jwtVerify, SignJWT } from 'jose'
import { startNginx, type ConfContext, type NginxServer } from '../nginx-harness/nginx'
import { makeTempDir } from '../nginx-harness/paths'
import { delay } from '../nginx-harness/processes'
import { selectedLegs, type LegName } from '../nginx-harness/runtimes'
import { withNginxOnEveryLeg } from '../support/suite'
import { startFakeRemote, type FakeRemote } from '../support/fake-remote'
import { whoAmI } from '../support/fake-ecmwf'
import { startDnsmasq, type Dnsmasq, type Hosts } from '../support/dnsmasq'
import { compileWithSnippets, moduleWithSnippetsConf } from '../support/compile-with-snippets'
import { makeTestCa, type TestCa } from '../support/tls'
import { keyPair, type KeyPair } from './jwt-fixtures'

const MINT_SECRET = 'remote-resolver-integration-secret-0123456789'
const KEY = 'resolver-key-0123456789'
/** Seconds nginx reuses an answer (the smallest `resolver_valid`): the move must show within it, plus margin. */
const RESOLVER_VALID_S = 1
const FOLLOW_DEADLINE_MS = 6000

interface LegFixture {
  name: string
  /** On 127.0.0.1 and 127.0.0.2, the same port. */
  first: FakeRemote
  second: FakeRemote
  /** https on 127.0.0.1, its certificate for every leg's name. */
  secure: FakeRemote
}

const legs = selectedLegs()
const fixtures = new Map<LegName, LegFixture>()
let dns: Dnsmasq | undefined
let tlsDir: string | undefined
let ca: TestCa | undefined
let signer: KeyPair | undefined
/** What dnsmasq answers now (every leg's name). */
const hosts: Hosts = {}

test.serial.before(async () => {
  tlsDir = makeTempDir('remote-resolver-tls')
  ca = makeTestCa(tlsDir, legs.map((leg) => `${leg.name}.svc.test`))
  signer = await keyPair('EC', 'resolver-ec-1')
  const jwks = { keys: [signer.publicJwk] }
  for (const leg of legs) {
    const first = await startFakeRemote({
      '/v1/who-am-i': whoAmI({ [KEY]: { uid: 'first' } }),
      '/certs': () => ({ status: 200, body: jwks }),
    })
    const second = await startFakeRemote({ '/v1/who-am-i': whoAmI({ [KEY]: { uid: 'second' } }) }, { host: '127.0.0.2', port: first.port })
    const secure = await startFakeRemote({ '/v1/who-am-i': whoAmI({ [KEY]: { uid: 'secure' } }) }, { tls: ca })
    const name = `${leg.name}.svc.test`
    hosts[name] = '127.0.0.1'
    fixtures.set(leg.name, { name, first, second, secure })
  }
  dns = await startDnsmasq(hosts)
})

test.after.always(async () => {
  for (const fixture of fixtures.values()) await Promise.all([fixture.first.stop(), fixture.second.stop(), fixture.secure.stop()])
  await dns?.stop()
  if (tlsDir !== undefined && process.env.AOT_KEEP_TMP !== '1') rmSync(tlsDir, { recursive: true, force: true })
})

function configYaml({ name, first, secure }: LegFixture, resolver: string | undefined): string {
  const dnsKeys = resolver === undefined ? '' : `, resolver: "${resolver}", resolver_valid: ${RESOLVER_VALID_S}`
  return [
    'version: 2.0.0',
    'logging: { level: debug, format: console }',
    'store: { enabled: false }',
    'services: []',
    'server: { port: 8080 }',
    `jwt: { exp: 3600, iss: authotron-test, secret: ${MINT_SECRET} }`,
    'auth: { timeout_in_ms: 3000, grant_cache_ttl_in_ms: 0 }',
    'providers:',
    // cache_ttl 0: every request asks the service, so each shows where the name points now.
    `  - { type: ecmwf-api, name: ECMWF API, realm: ecmwf, uri: "http://${name}:${first.port}/v1", cache_ttl: 0${dnsKeys} }`,
    `  - { type: ecmwf-api, name: secure, realm: secure, uri: "https://${name}:${secure.port}/v1", cache_ttl: 0, ca_file: ${ca!.caFile}${dnsKeys} }`,
    `  - { type: jwt, name: jwks, realm: jwks, cert_uri: "http://${name}:${first.port}/certs", iam_realm: x${dnsKeys} }`,
    '',
  ].join('\n')
}

function confFor(resolver: () => string | undefined) {
  return (context: ConfContext) => {
    const config = compileWithSnippets(configYaml(fixtures.get(context.leg.name)!, resolver()), context.paths.prefix, { name: 'resolver-config' })
    return moduleWithSnippetsConf(context, config)
  }
}

const suite = withNginxOnEveryLeg(test, { label: 'dns', legs, conf: confFor(() => dns!.address) })

const fixture = (nginx: NginxServer) => fixtures.get(nginx.leg.name)!

/** The username nginx minted for `token` in `realm`, or the status when it refused. */
async function whoAnswers(nginx: NginxServer, realm = 'ecmwf', token = KEY): Promise<string> {
  const response = await fetch(nginx.url('/authenticate'), {
    headers: { Authorization: `Bearer ${token}`, 'X-Auth-Realm': realm, Connection: 'close' },
  })
  if (response.status !== 200) return `status ${response.status}`
  const authorization = (response.headers.get('authorization') ?? '').replace(/^Bearer /, '')
  const { payload } = await jwtVerify(authorization, new TextEncoder().encode(MINT_SECRET))
  return String(payload.username)
}

async function pointTo(name: string, address: string) {
  hosts[name] = address
  await dns!.setHosts(hosts)
}

suite.serial('with resolver: the name is resolved through the DNS server, and nginx follows a moved name without a reload', async (t, nginx) => {
  const { name, first, second } = fixture(nginx)
  await pointTo(name, '127.0.0.1')
  // An answer nginx may still hold from an earlier move is at most RESOLVER_VALID_S old.
  await delay(RESOLVER_VALID_S * 1000 + 200)
  t.is(await whoAnswers(nginx), 'first')
  t.true(first.requests('/v1/who-am-i').some((request) => request.headers.host === `${name}:${first.port}`), 'Host names the service')

  const offset = nginx.errorLogSize()
  const secondBefore = second.requests().length
  await pointTo(name, '127.0.0.2')
  const moved = Date.now()
  let answer = await whoAnswers(nginx)
  while (answer !== 'second' && Date.now() - moved < FOLLOW_DEADLINE_MS) {
    t.is(answer, 'first', 'until it re-resolves, the old address answers')
    await delay(200)
    answer = await whoAnswers(nginx)
  }
  const followedMs = Date.now() - moved
  t.log(`${nginx.leg.name}: followed the move after ${followedMs} ms (resolver_valid ${RESOLVER_VALID_S} s)`)
  t.is(answer, 'second', `still not following after ${followedMs} ms`)
  t.true(second.requests().length > secondBefore)
  t.is(await whoAnswers(nginx), 'second', 'and stays there')
  t.notRegex(nginx.errorLogSince(offset), /reconfiguring|signal 1 \(SIGHUP\)/, 'no reload')
  await pointTo(name, '127.0.0.1')
})

suite.serial('with resolver: a name the DNS server does not know → 401 ERR_REMOTE_UNAVAILABLE, logged without the key', async (t, nginx) => {
  const { name } = fixture(nginx)
  delete hosts[name]
  await dns!.setHosts(hosts)
  try {
    await delay(RESOLVER_VALID_S * 1000 + 200)
    const offset = nginx.errorLogSize()
    t.is(await whoAnswers(nginx), 'status 401')
    const log = nginx.errorLogSince(offset)
    t.regex(log, /auth\.provider\.failed provider="ECMWF API" code="ERR_REMOTE_UNAVAILABLE"/)
    t.regex(log, /remote\.call\.failed provider="ECMWF API" url="http:\/\/[^"]+\/v1\/who-am-i" status=502 reason="the service host name did not resolve \(resolver\)"/)
    t.false(log.includes(KEY))
  } finally {
    await pointTo(name, '127.0.0.1')
  }
})

suite.serial('with resolver, https: the name resolved through the DNS server, the certificate checked against it', async (t, nginx) => {
  const { name, secure } = fixture(nginx)
  t.is(await whoAnswers(nginx, 'secure'), 'secure')
  t.true(secure.requests('/v1/who-am-i').some((request) => request.headers.host === `${name}:${secure.port}`))
})

suite.serial('with resolver, a jwt provider: the JWK Set of a cert_uri only the DNS server knows is fetched, the token verified', async (t, nginx) => {
  const { first } = fixture(nginx)
  const now = Math.floor(Date.now() / 1000)
  const token = await new SignJWT({ sub: 'machine', preferred_username: 'jwks-user', iat: now, exp: now + 300 })
    .setProtectedHeader({ alg: 'ES256', kid: signer!.kid })
    .sign(signer!.privateKey)
  t.is(await whoAnswers(nginx, 'jwks', token), 'jwks-user')
  t.true(first.requests('/certs').length >= 1)
})

for (const leg of legs) {
  test.serial(`[${leg.name}] without resolver: the host is resolved when nginx loads its config, not through the DNS server`, async (t) => {
    const { name } = fixtures.get(leg.name)!
    t.deepEqual(await dns!.lookup(name), ['127.0.0.1'], 'the configured DNS server knows the name')
    const error = await t.throwsAsync(
      startNginx({ leg, label: 'nodns', conf: confFor(() => undefined) }),
    )
    t.regex(error?.message ?? '', new RegExp(`host not found in upstream "${name.replace(/\./g, '\\.')}:\\d+"`))
  })
}
