/**
 * The session cookie through the module's fast tiers (issue 18): the grant cache where the leg has
 * a shared dict (a reused cookie is a hit), and the js_access handler where the leg has it.
 */
import test from 'ava'
import { SignJWT } from 'jose'
import { withNginxOnEveryLeg } from '../support/suite'
import { protectedApiConf } from './protected-api-conf'

const SECRET = 'session-cache-secret-of-at-least-32-bytes'
const config = `
version: 2.0.0
logging: {level: debug, format: console}
store: {enabled: false}
services: []
server: {port: 8080}
include_legacy_headers: true
jwt: {exp: 3600, iss: authotron-test, secret: "${SECRET}"}
session: {cookie_name: sid}
providers:
  - {type: plain, name: plain-provider, realm: localrealm, users: [{username: test_user, password: secret123, roles: [ops]}]}
`

const suite = withNginxOnEveryLeg(test, { label: 'session-cache', config, portNames: ['backend'], conf: (context) => protectedApiConf(context) })

async function token(overrides: Record<string, unknown> = {}) {
  const now = Math.floor(Date.now() / 1000)
  const claims = { sub: 'localrealm-test_user', iss: 'authotron-test', exp: now + 600, iat: now, roles: ['ops'], username: 'test_user', scopes: {}, realm: 'localrealm', attributes: {}, ...overrides }
  return new SignJWT(claims).setProtectedHeader({ typ: 'JWT', alg: 'HS256' }).sign(new TextEncoder().encode(SECRET))
}

suite.test('a reused session cookie: the same token reaches the backend every time, in both modes', async (t, nginx) => {
  const good = await token()
  const locations = nginx.leg.features.jsAccess ? ['/api/x', '/access/x'] : ['/api/x']
  for (const location of locations) {
    for (let i = 0; i < 3; i++) {
      const response = await fetch(nginx.url(location), { headers: { Cookie: `other=1; sid=${good}` } })
      t.is(response.status, 200, location)
      t.is(await response.text(), `authorization=Bearer ${good}\nusername=test_user\nrealm=localrealm\nroles=ops\n`)
    }
  }
})

suite.test('a refused cookie stays refused when asked again (nothing cached), in both modes', async (t, nginx) => {
  const expired = await token({ exp: Math.floor(Date.now() / 1000) - 5 })
  const locations = nginx.leg.features.jsAccess ? ['/api/x', '/access/x'] : ['/api/x']
  for (const location of locations) {
    for (const cookie of [`sid=${expired}`, `sid=${expired}`, 'sid=not-a-token', 'sid=a.b.c, Basic dGVzdF91c2VyOnNlY3JldDEyMw==']) {
      t.is((await fetch(nginx.url(location), { headers: { Cookie: cookie } })).status, 401, `${location} ${cookie.slice(0, 20)}`)
    }
  }
})
