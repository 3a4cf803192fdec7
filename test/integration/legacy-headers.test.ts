/**
 * include_legacy_headers: false, on every leg and every path that answers a Basic request: the
 * precomputed Basic path, a grant-cache hit of the entry it stored, the full pipeline (X-Auth-Realm), and
 * js_access. Only `Authorization: Bearer <jwt>` reaches the client or the backend; a client's own
 * X-Auth-* headers never do.
 */
import test from 'ava'
import { withNginxOnEveryLeg } from '../support/suite'
import { protectedApiConf } from './protected-api-conf'
import { basicHeader, header, rawRequest } from './http-client'

const config = `
version: 2.0.0
logging: {level: info, format: console}
include_legacy_headers: false
store: {enabled: false}
services: []
server: {port: 8080}
jwt: {exp: 3600, iss: authotron-legacy-off, secret: "legacy-off-secret-of-32-bytes-long!"}
providers:
  - {type: plain, name: local, realm: localrealm, users: [{username: alice, password: wonderland, roles: [reader]}]}
`

const suite = withNginxOnEveryLeg(test, {
  config,
  portNames: ['backend'],
  conf: (context) => protectedApiConf(context),
})

const LOGIN = basicHeader('alice', 'wonderland')
const LEGACY = ['x-auth-username', 'x-auth-realm', 'x-auth-roles']

suite.test('/authenticate sends only the token: precomputed Basic path, cache hit, full pipeline', async (t, nginx) => {
  for (const extra of [[], [], ['X-Auth-Realm: localrealm']]) {
    const response = await rawRequest(nginx.port, '/authenticate', [LOGIN, ...extra])
    t.is(response.status, 200)
    t.regex(header(response, 'authorization') ?? '', /^Bearer ey/)
    for (const name of LEGACY) t.is(header(response, name), undefined, `${name} with ${extra.join(' ')}`)
  }
})

suite.test('the backend gets the token and no X-Auth-* header, whatever the client sent', async (t, nginx) => {
  const spoofed = ['X-Auth-Username: mallory', 'X-Auth-Roles: admin']
  const paths = nginx.leg.features.jsAccess ? ['/api/get', '/access/get'] : ['/api/get']
  for (const path of paths) {
    for (let i = 0; i < 2; i++) {
      const response = await rawRequest(nginx.port, path, [LOGIN, ...spoofed])
      t.is(response.status, 200, path)
      t.regex(response.body, /^authorization=Bearer ey\S+\nusername=\nrealm=\nroles=\n$/, path)
    }
  }
})
