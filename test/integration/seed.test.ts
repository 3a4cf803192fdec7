/**
 * The seed's flows (authotron-behaviour.md §12.3) through nginx/nginx.conf itself, with this
 * module (dist/authotron.js), the demo's config compiled by `authotron compile`, and a real httpbin
 * behind /api/ — on every runtime leg.
 */
import test from 'ava'
import { jwtVerify } from 'jose'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { exampleConf } from '../nginx-harness/example-conf'
import { REPO_ROOT } from '../nginx-harness/paths'
import { withNginxOnEveryLeg } from '../support/suite'

const demoConfig = readFileSync(join(REPO_ROOT, 'nginx/demo/config.yaml'), 'utf8')
const TEST_USER = 'Basic dGVzdF91c2VyOnNlY3JldDEyMw==' // test_user:secret123

const seed = withNginxOnEveryLeg(test, {
  label: 'seed',
  complete: true,
  httpbin: true,
  config: demoConfig,
  conf: exampleConf,
})

seed.test('GET /api/get without credentials: 302 to /authenticate?redirect=/api/get, challenge kept', async (t, nginx) => {
  const response = await fetch(nginx.url('/api/get'), { redirect: 'manual' })
  t.is(response.status, 302)
  t.is(response.headers.get('location'), '/authenticate?redirect=/api/get')
  t.is(response.headers.get('www-authenticate'), 'Basic realm="localrealm"')
})

seed.test('GET /api/get with Basic test_user: httpbin sees the minted JWT and the legacy headers', async (t, nginx) => {
  const response = await fetch(nginx.url('/api/get'), { headers: { Authorization: TEST_USER }, redirect: 'manual' })
  t.is(response.status, 200)
  const echoed = (await response.json()) as { headers: { [name: string]: string } }
  t.regex(echoed.headers.Authorization, /^Bearer /)
  const { payload } = await jwtVerify(echoed.headers.Authorization.slice(7), new TextEncoder().encode('some-secret-key'), {
    algorithms: ['HS256'],
  })
  t.like(payload, { sub: 'localrealm-test_user', iss: 'authotron-test', username: 'test_user', realm: 'localrealm' })
  t.deepEqual(payload.roles, [])
  t.deepEqual(payload.scopes, {})
  t.deepEqual(payload.attributes, {})
  t.is(echoed.headers['X-Auth-Username'], 'test_user')
  t.is(echoed.headers['X-Auth-Realm'], 'localrealm')
  // test_user has no roles: nginx forwards no header with an empty value (docs/compatibility.md).
  t.false('X-Auth-Roles' in echoed.headers)
})

seed.test('chained credentials: Basic + an unknown Bearer token still succeeds', async (t, nginx) => {
  const response = await fetch(nginx.url('/api/get'), {
    headers: { Authorization: `${TEST_USER}, Bearer some_bearer_token` },
    redirect: 'manual',
  })
  t.is(response.status, 200)
})

seed.test('wrong password and a bare Bearer token redirect like no credentials', async (t, nginx) => {
  for (const authorization of ['Basic dGVzdF91c2VyOndyb25n', 'Bearer some_bearer_token']) {
    const response = await fetch(nginx.url('/api/get'), { headers: { Authorization: authorization }, redirect: 'manual' })
    t.is(response.status, 302, authorization)
  }
})

seed.test('/authenticate answers clients directly: 200 with the token, 401 with the challenge', async (t, nginx) => {
  const ok = await fetch(nginx.url('/authenticate'), { headers: { Authorization: TEST_USER } })
  t.is(ok.status, 200)
  t.is(await ok.text(), 'Authenticated successfully')
  t.regex(ok.headers.get('authorization') ?? '', /^Bearer ey/)
  const denied = await fetch(nginx.url('/authenticate?redirect=/api/get'))
  t.is(denied.status, 401)
  t.is(await denied.text(), '{"error": "Unauthorized access"}')
  t.is(denied.headers.get('www-authenticate'), 'Basic realm="localrealm"')
})
