/**
 * openid-offline (§4.5) and ecmwf-token-generator (§4.6) in real nginx, on every runtime leg,
 * with two workers: the IAM is the npm `oidc-provider` (introspection, the refresh_token grant with
 * offline_access, revocation), the token generator a recording fake (remote-token-fixtures.ts).
 * Each leg gets its own services, so the requests counted are that leg's nginx's alone. The tests
 * run one at a time. They were serialised because mixed concurrent requests crashed workers; that
 * crash was a provider timer freed twice (src/njs/platform.ts, test/integration/late-subrequest.test.ts)
 * and is gone (concurrent runs on four legs: no worker exit). They stay serial because the IAM
 * (oidc-provider) runs in the test process: with every leg's tests at once it answers after the
 * 1.5 s timeout on a loaded machine (401s, `cache lock timeout`). nginx
 * loads what operators include: the snippets `authotron compile --nginx-snippets` writes.
 */
import test from 'ava'
import { readdirSync, readFileSync, rmSync, statSync, existsSync } from 'node:fs'
import { join } from 'node:path'
import { jwtVerify } from 'jose'
import type { NginxServer } from '../nginx-harness/nginx'
import { selectedLegs, type LegName } from '../nginx-harness/runtimes'
import { withNginxOnEveryLeg } from '../support/suite'
import { rawRequest } from './http-client'
import {
  GENERATOR_CLIENT,
  IAM_REALM,
  PRIVATE_CLIENT,
  startOfflineIam,
  startTokenGenerator,
  type OfflineIam,
  type TokenGenerator,
} from './remote-token-fixtures'
import { withinOneEpoch } from '../support/jwks-epoch'
import { compileWithSnippets } from '../support/compile-with-snippets'

const MINT_SECRET = 'integration-secret-0123456789abcdef'
/** The provider timeout; a hanging service must be answered within it (+ 50 ms). */
const TIMEOUT_MS = 1500

interface LegFixture {
  iam: OfflineIam
  tg: TokenGenerator
  bad: TokenGenerator
}

const legs = selectedLegs()
const fixtures = new Map<LegName, LegFixture>()

test.serial.before(async () => {
  for (const leg of legs) {
    fixtures.set(leg.name, { iam: await startOfflineIam(), tg: await startTokenGenerator(), bad: await startTokenGenerator() })
  }
})

test.after.always(async () => {
  for (const { iam, tg, bad } of fixtures.values()) await Promise.all([iam.stop(), tg.stop(), bad.stop()])
})

function configYaml({ iam, tg, bad }: LegFixture): string {
  return [
    'version: 2.0.0',
    'logging: { level: debug, format: console }',
    'store: { enabled: false }',
    'services: []',
    'server: { port: 8080 }',
    `jwt: { exp: 3600, iss: authotron-test, secret: ${MINT_SECRET} }`,
    // No grant cache: every request reaches the providers, so the remote caches are what is seen.
    `auth: { timeout_in_ms: ${TIMEOUT_MS}, grant_cache_ttl_in_ms: 0 }`,
    'providers:',
    // oidc-provider refuses a body client_id other than the Basic one (Keycloak ignores it): the
    // offline tokens are the private client's, so it is the public_client_id too.
    `  - { type: openid-offline, name: desp-offline, realm: ${IAM_REALM}, cert_uri: "${iam.jwksUrl}",` +
      ` public_client_id: ${PRIVATE_CLIENT.id}, private_client_id: ${PRIVATE_CLIENT.id},` +
      ` private_client_secret: ${PRIVATE_CLIENT.secret}, iam_url: "${iam.url}" }`,
    `  - { type: ecmwf-token-generator, name: tg, realm: tg, cert_uri: "${tg.jwksUrl}", client_id: ${GENERATOR_CLIENT.id},` +
      ` client_secret: ${GENERATOR_CLIENT.secret}, token_generator_url: "${tg.url}" }`,
    // Answers cached 2 s: a kept result (docs/remote.md) must not outlive them.
    `  - { type: ecmwf-token-generator, name: tgshort, realm: tgshort, cert_uri: "${tg.jwksUrl}", client_id: ${GENERATOR_CLIENT.id},` +
      ` client_secret: ${GENERATOR_CLIENT.secret}, token_generator_url: "${tg.url}", cache_ttl: 2 }`,
    // Nothing cached: each misbehaviour is seen afresh.
    `  - { type: ecmwf-token-generator, name: tgbad, realm: tgbad, cert_uri: "${bad.jwksUrl}", client_id: ${GENERATOR_CLIENT.id},` +
      ` client_secret: ${GENERATOR_CLIENT.secret}, token_generator_url: "${bad.url}", cache_ttl: 0, invalid_cache_ttl: 0 }`,
    '',
  ].join('\n')
}


const suite = withNginxOnEveryLeg(test, {
  label: 'remote-token',
  legs,
  workers: 2,
  conf: (context) => {
    const { leg, port, paths } = context
    const config = compileWithSnippets(configYaml(fixtures.get(leg.name)!), paths.prefix, { name: 'remote-config', readableSnippets: true })
    return `
      js_import authotron from ${paths.module};
      js_preload_object authotron_cfg from ${config};
      js_var $authotron_config_file ${config};
      include ${paths.prefix}/authotron-jwks-http.conf;
      include ${paths.prefix}/authotron-remote-http.conf;
      ${leg.features.sharedDict ? `include ${paths.repo}/nginx/authotron-cache.conf;` : ''}
      log_format worker '$pid $status $request_uri';
      server {
          # reuseport: each new connection goes to a worker chosen by its source port.
          listen 127.0.0.1:${port} reuseport;
          access_log ${paths.prefix}/workers.log worker;
          include ${paths.repo}/nginx/authotron-endpoints.conf;
          include ${paths.prefix}/authotron-jwks-locations.conf;
          include ${paths.prefix}/authotron-remote-locations.conf;
      }`
  },
})

const fixture = (nginx: NginxServer) => fixtures.get(nginx.leg.name)!

/** One request on a connection of its own (so the two workers share the requests). */
function authenticate(nginx: NginxServer, token: string, realm: string) {
  return rawRequest(nginx.port, '/authenticate', [`Authorization: Bearer ${token}`, `X-Auth-Realm: ${realm}`])
}

async function minted(authorization: string | undefined) {
  const { payload } = await jwtVerify((authorization ?? '').replace(/^Bearer /, ''), new TextEncoder().encode(MINT_SECRET))
  return payload
}

/** The pids that answered /authenticate, from the access log. */
function workersSeen(nginx: NginxServer): Set<string> {
  const log = join(nginx.paths.prefix, 'workers.log')
  if (!existsSync(log)) return new Set()
  return new Set(readFileSync(log, 'utf8').split('\n').filter((line) => line.includes('/authenticate')).map((line) => line.split(' ')[0]))
}

const formToken = (token: string) => `token=${encodeURIComponent(token)}`
const forToken = (iam: OfflineIam, path: string, token: string) =>
  iam.requests.filter((r) => r.path.endsWith(path) && r.body.includes(encodeURIComponent(token))).length

// --- openid-offline against oidc-provider -----------------------------------------------------

suite.serial('openid-offline: a real offline token authenticates; the IAM got the reference\'s requests', async (t, nginx) => {
  const { iam } = fixture(nginx)
  const token = await iam.offlineToken()
  const response = await authenticate(nginx, token, IAM_REALM)
  t.is(response.status, 200, response.body)
  const payload = await minted(response.headers.authorization?.[0])
  t.like(payload, {
    username: 'adam',
    realm: IAM_REALM,
    roles: ['offline_access', 'user', 'ent-1', 'reader', 'manage-account'],
    scopes: { 'desp-offline': ['api'] },
  })
  t.false(JSON.stringify(payload).includes(token), 'the offline token is no claim or attribute')

  const introspection = iam.requests.find((r) => r.path.endsWith('/token/introspect') && r.body.includes(encodeURIComponent(token)))!
  t.is(introspection.method, 'POST')
  t.is(introspection.path, `/realms/${IAM_REALM}/protocol/openid-connect/token/introspect`)
  t.is(introspection.headers.authorization, 'Basic ' + Buffer.from(`${PRIVATE_CLIENT.id}:${PRIVATE_CLIENT.secret}`).toString('base64'))
  t.is(introspection.headers['content-type'], 'application/x-www-form-urlencoded')
  t.is(introspection.body, formToken(token))
  const exchange = iam.requests.find((r) => r.path.endsWith('/openid-connect/token') && r.body.includes(encodeURIComponent(token)))!
  t.is(exchange.headers.authorization, introspection.headers.authorization)
  t.deepEqual(Object.fromEntries(new URLSearchParams(exchange.body)), {
    client_id: PRIVATE_CLIENT.id,
    grant_type: 'refresh_token',
    refresh_token: token,
  })
})

suite.serial('openid-offline: an access token, a refresh token without offline_access, a revoked or unknown token → 401', async (t, nginx) => {
  const { iam } = fixture(nginx)
  const revoked = await iam.offlineToken()
  await iam.revoke(revoked)
  const offset = nginx.errorLogSize()
  const tokens = { access: await iam.accessToken(), online: await iam.onlineRefreshToken(), revoked, unknown: 'no-such-token-' + Date.now() }
  for (const [kind, token] of Object.entries(tokens)) {
    const response = await authenticate(nginx, token, IAM_REALM)
    t.is(response.status, 401, kind)
    t.is(forToken(iam, '/openid-connect/token', token), 0, `${kind}: never exchanged`)
  }
  const log = nginx.errorLogSince(offset)
  t.regex(log, /auth\.provider\.failed provider="desp-offline" code="ERR_REMOTE_INVALID_CREDENTIAL" reason="Not a valid offline_access token"/)
  for (const token of Object.values(tokens)) t.false(log.includes(token), 'no token in the error log')
})

suite.serial('openid-offline: N requests over both workers → one introspection, one exchange', async (t, nginx) => {
  const { iam } = fixture(nginx)
  const token = await iam.offlineToken()
  t.is((await authenticate(nginx, token, IAM_REALM)).status, 200)
  for (let i = 0; i < 12; i++) t.is((await authenticate(nginx, token, IAM_REALM)).status, 200)
  t.true(workersSeen(nginx).size >= 2, `both workers answered: ${[...workersSeen(nginx)].join(', ')}`)
  t.is(forToken(iam, '/token/introspect', token), 1)
  t.is(forToken(iam, '/openid-connect/token', token), 1)
})

suite.serial('openid-offline: N concurrent first requests → one introspection', async (t, nginx) => {
  const { iam } = fixture(nginx)
  const token = await iam.offlineToken()
  const answers = await Promise.all(Array.from({ length: 8 }, () => authenticate(nginx, token, IAM_REALM)))
  t.deepEqual(answers.map((a) => a.status), Array(8).fill(200))
  t.is(forToken(iam, '/token/introspect', token), 1)
  t.is(forToken(iam, '/openid-connect/token', token), 1)
})

// --- ecmwf-token-generator ----------------------------------------------------------------------

suite.serial('token generator, the reference\'s scenario: validate, exchange, the access token verified with the JWK Set fetched once', async (t, nginx) => {
  const { tg } = fixture(nginx)
  await withinOneEpoch(nginx)
  const token = tg.issue()
  for (let i = 0; i < 5; i++) {
    const response = await authenticate(nginx, token, 'tg')
    t.is(response.status, 200, response.body)
    if (i === 0) {
      t.like(await minted(response.headers.authorization?.[0]), {
        username: 'eve',
        realm: 'tg',
        roles: ['tg-user'],
        scopes: { tg: ['openid', 'offline_access'] },
      })
    }
  }
  const withToken = (path: string) => tg.requests.filter((r) => r.path === path && r.body.includes(token)).length
  t.is(withToken('/validate-token'), 1)
  t.is(withToken('/admin/refresh-access-token'), 1)
  // On every leg, njs 0.7.9 included: there the epoch location's one fetch also fills the cached
  // location's copy (its fallback), through the relay server's latest location.
  t.is(tg.count('/jwks'), 1)
  const validate = tg.requests.find((r) => r.path === '/validate-token' && r.body.includes(token))!
  t.is(validate.headers['content-type'], 'application/json')
  t.deepEqual(JSON.parse(validate.body), { token, client_id: GENERATOR_CLIENT.id })
  const exchange = tg.requests.find((r) => r.path === '/admin/refresh-access-token' && r.body.includes(token))!
  t.is(exchange.headers['content-type'], 'application/json')
  t.deepEqual(JSON.parse(exchange.body), { client_id: GENERATOR_CLIENT.id, client_secret: GENERATOR_CLIENT.secret, refresh_token: token })
  t.is(exchange.headers.authorization, undefined, "the client's Authorization is never forwarded")
})

suite.serial('token generator: a kept result serves the token without its calls, never past its answers (a forgotten token → 401 once they expire)', async (t, nginx) => {
  const { tg } = fixture(nginx)
  const token = tg.issue()
  const calls = () => tg.requests.filter((r) => r.body.includes(token)).length
  t.is((await authenticate(nginx, token, 'tgshort')).status, 200)
  t.is(calls(), 2, 'validation and exchange')
  const started = Date.now()
  // Without the calls' cached answers (their files removed: nginx then asks again) and with the
  // token unknown to the generator, only the kept result can still answer 200.
  const config = JSON.parse(readFileSync(join(nginx.paths.prefix, 'remote-config.json'), 'utf8'))
  const provider = config.providers.find((p: { name: string }) => p.name === 'tgshort')
  const steps = [provider.validation.location, provider.exchange.location]
  const cacheDir = join(nginx.paths.prefix, 'remote-cache')
  let removed = 0
  for (const file of readdirSync(cacheDir, { recursive: true }).map(String)) {
    const path = join(cacheDir, file)
    if (!statSync(path).isFile()) continue
    const key = /\nKEY: (\S+)/.exec(readFileSync(path, 'latin1'))?.[1] ?? ''
    if (steps.some((location: string) => key.startsWith(location + '/'))) {
      rmSync(path)
      removed++
    }
  }
  t.true(removed >= 2, `removed ${removed} cached answers of the calls`)
  tg.forget(token)
  t.is((await authenticate(nginx, token, 'tgshort')).status, 200, 'the kept result')
  t.is(calls(), 2, 'the generator was not asked')
  // The answers were cached 2 s; nginx counts whole seconds: 3 s later nothing of them is kept.
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, 3100 - (Date.now() - started))))
  t.is((await authenticate(nginx, token, 'tgshort')).status, 401, 'the kept result expired with its answers')
  t.true(calls() > 2, 'asked again')
})

suite.serial('token generator: an unknown token → 401 "Token is not valid according to ECMWF Token Generator"', async (t, nginx) => {
  const offset = nginx.errorLogSize()
  t.is((await authenticate(nginx, 'unknown-' + Date.now(), 'tg')).status, 401)
  t.regex(nginx.errorLogSince(offset), /provider="tg" code="ERR_REMOTE_INVALID_CREDENTIAL" reason="Token is not valid according to ECMWF Token Generator"/)
})

const MISBEHAVIOURS: [string, 'validate' | 'refresh', Parameters<TokenGenerator['setMode']>[1], RegExp][] = [
  ['validation answers 403', 'validate', '403', /code="ERR_REMOTE_INVALID_CREDENTIAL"|code="ERR_REMOTE_MALFORMED"/],
  ['validation answers an empty 500', 'validate', '500-empty', /reason="Failed to parse validation JSON: not JSON"/],
  ['validation answers HTML', 'validate', 'not-json', /reason="Failed to parse validation JSON: not JSON"/],
  ['exchange answers an empty 401', 'refresh', '401-empty', /reason="Failed to parse access token response: not JSON"/],
  ['exchange answers without access_token', 'refresh', 'no-access-token', /reason="Failed to retrieve access token from generator response"/],
]
for (const [title, route, mode, logged] of MISBEHAVIOURS) {
  suite.serial(`token generator: ${title} → 401`, async (t, nginx) => {
    const { bad } = fixture(nginx)
    bad.setMode(route, mode)
    try {
      const offset = nginx.errorLogSize()
      t.is((await authenticate(nginx, bad.issue(), 'tgbad')).status, 401)
      t.regex(nginx.errorLogSince(offset), logged)
    } finally {
      bad.setMode(route, 'ok')
    }
  })
}

for (const route of ['validate', 'refresh'] as const) {
  suite.serial(`token generator: a hanging ${route} call is answered 401 within the timeout + 50 ms`, async (t, nginx) => {
    const { bad } = fixture(nginx)
    bad.setMode(route, 'hang')
    try {
      const started = performance.now()
      const response = await authenticate(nginx, bad.issue(), 'tgbad')
      const elapsed = performance.now() - started
      t.is(response.status, 401)
      t.log(`${nginx.leg.name}: answered after ${elapsed.toFixed(0)} ms`)
      t.true(elapsed <= TIMEOUT_MS + 50, `answered after ${elapsed.toFixed(0)} ms`)
    } finally {
      bad.setMode(route, 'ok')
    }
  })
}

suite.serial('no token or secret on disk or in a log: every remote cache file is sealed; the users still come from the cache', async (t, nginx) => {
  const { iam, tg } = fixture(nginx)
  const offline = await iam.offlineToken()
  const refresh = tg.issue()
  const iamCalls = () => iam.requests.filter((r) => r.body.includes(encodeURIComponent(offline))).length
  const tgCalls = () => tg.requests.filter((r) => r.body.includes(refresh)).length
  for (let i = 0; i < 3; i++) {
    t.is((await authenticate(nginx, offline, IAM_REALM)).status, 200)
    t.is((await authenticate(nginx, refresh, 'tg')).status, 200)
  }
  t.is(iamCalls(), 2, 'one introspection, one exchange: the other requests came from the cache')
  t.is(tgCalls(), 2, 'one validation, one exchange: the other requests came from the cache')
  const accessTokens = tg.accessTokens.slice()
  t.true(accessTokens.length > 0)
  const secrets = [offline, refresh, ...accessTokens, PRIVATE_CLIENT.secret, GENERATOR_CLIENT.secret]
  const forms = secrets.flatMap((secret) => [secret, encodeURIComponent(secret), JSON.stringify(secret).slice(1, -1)])
  const log = nginx.errorLog()
  for (const form of forms) t.false(log.includes(form), 'error log')
  const cacheDir = join(nginx.paths.prefix, 'remote-cache')
  const files = readdirSync(cacheDir, { recursive: true }).map(String).filter((f) => statSync(join(cacheDir, f)).isFile())
  t.true(files.length >= 4, `${files.length} cache files`)
  for (const file of files) {
    const text = readFileSync(join(cacheDir, file), 'latin1')
    for (const form of forms) t.false(text.includes(form) || file.includes(form), `cache file ${file} holds a secret`)
    // No JWT of any kind (the IAM's access and ID tokens included, which the test cannot know).
    t.notRegex(text, /eyJ[\w-]+\.[\w-]+\.[\w-]+/, `cache file ${file} holds a JWT`)
    const body = text.slice(text.indexOf('\r\n\r\n') + 4)
    t.regex(body, /^aot1\.[\w-]{16}\.[\w-]+$/, `cache file ${file} holds a sealed answer`)
  }
})
