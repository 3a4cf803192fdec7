/**
 * Brute-force lockout (auth.lockout, src/auth/lockout.ts) in real nginx: clients come from
 * different loopback addresses (127.0.0.x), so one test server sees several client addresses.
 * On njs 0.7.9 (no shared dict) a config with a lockout answers 500 and the error log says why.
 */
import test from 'ava'
import { selectedLegs } from '../nginx-harness/runtimes'
import { withNginxOnEveryLeg } from '../support/suite'
import { basicHeader, rawRequest } from './http-client'

const LOCK_MS = 2000
const yaml = `
version: 2.0.0
logging: {level: info, format: console}
store: {enabled: true, type: embedded}
services: []
server: {port: 8080}
auth: {lockout: {max_failures: 3, window_in_ms: 60000, duration_in_ms: ${LOCK_MS}}}
jwt: {exp: 3600, iss: authotron-lockout, secret: "lockout-integration-secret"}
providers:
  - type: plain
    name: local
    realm: localrealm
    users:
      - {username: alice, password: alice-pw}
      - {username: bob, password: bob-pw}
      - {username: carol, password: carol-pw}
      - {username: dave, password: dave-pw}
      - {username: erin, password: erin-pw}
`

const suite = withNginxOnEveryLeg(test, {
  config: yaml,
  legs: selectedLegs().filter((leg) => leg.features.sharedDict),
  conf: ({ port, paths }) => `
    include ${paths.repo}/nginx/authotron-cache.conf;
    include ${paths.repo}/nginx/authotron-lockout.conf;
    include ${paths.repo}/nginx/authotron-tokens-memory.conf;
    server {
        listen 127.0.0.1:${port};
        include ${paths.repo}/nginx/authotron-endpoints.conf;
    }`,
})

const oldSuite = withNginxOnEveryLeg(test, {
  config: yaml,
  legs: selectedLegs().filter((leg) => !leg.features.sharedDict),
  conf: ({ port, paths }) => `
    server {
        listen 127.0.0.1:${port};
        include ${paths.repo}/nginx/authotron-endpoints.conf;
    }`,
})

async function status(port: number, from: string, headers: string[], path = '/authenticate') {
  return (await rawRequest(port, path, headers, 'GET', from)).status
}

suite.serial('failures lock the (address, username) pair on every tier; other users and addresses go on; the lock ends', async (t, nginx) => {
  const logStart = nginx.errorLogSize()
  const [a, b] = ['127.0.0.2', '127.0.0.3']
  const alice = basicHeader('alice', 'alice-pw')
  const carol = basicHeader('carol', 'carol-pw')
  t.is(await status(nginx.port, a, [alice]), 200) // alice's grant is now cached
  for (const user of ['alice', 'carol']) {
    for (let i = 0; i < 3; i++) t.is(await status(nginx.port, a, [basicHeader(user, 'guess-' + i)]), 401)
  }
  // The right password no longer gets in from a: not from the grant cache (alice), not from the
  // precomputed grants (carol, never cached), not through the full pipeline (X-Auth-Realm), not via /whoami.
  t.is(await status(nginx.port, a, [alice]), 401, 'grant-cache tier')
  t.is(await status(nginx.port, a, [carol]), 401, 'precomputed tier')
  t.is(await status(nginx.port, a, [alice, 'X-Auth-Realm: localrealm']), 401, 'full pipeline')
  t.is(await status(nginx.port, a, [carol], '/whoami'), 401, '/whoami')
  // Another user from a, and the same users from b, are unaffected.
  t.is(await status(nginx.port, a, [basicHeader('bob', 'bob-pw')]), 200)
  t.is(await status(nginx.port, b, [alice]), 200)
  t.is(await status(nginx.port, b, [carol]), 200)
  const log = nginx.errorLogSince(logStart)
  t.is(log.match(/auth\.lockout\.engaged address="127\.0\.0\.2"/g)?.length, 2)
  for (const secret of ['alice-pw', 'carol-pw', 'guess-0', 'alice']) t.false(log.includes(secret), secret)
  // The lock ends after duration_in_ms.
  await new Promise((resolve) => setTimeout(resolve, LOCK_MS + 300))
  t.is(await status(nginx.port, a, [alice]), 200)
  t.is(await status(nginx.port, a, [carol]), 200)
})

suite.serial('a success before the threshold clears the failures', async (t, nginx) => {
  const c = '127.0.0.4'
  const bob = basicHeader('bob', 'bob-pw')
  for (let i = 0; i < 2; i++) t.is(await status(nginx.port, c, [basicHeader('bob', 'wrong')]), 401)
  t.is(await status(nginx.port, c, [bob]), 200)
  // Two more failures: 2, not 4, since the success cleared them, so bob still gets in.
  for (let i = 0; i < 2; i++) t.is(await status(nginx.port, c, [basicHeader('bob', 'wrong')]), 401)
  t.is(await status(nginx.port, c, [bob]), 200)
  // And a third failure in a row does lock.
  for (let i = 0; i < 3; i++) t.is(await status(nginx.port, c, [basicHeader('bob', 'wrong')]), 401)
  t.is(await status(nginx.port, c, [bob]), 401)
})

suite.serial('the token-store routes are behind the same gate: a locked pair gets 401 without a check, other users and addresses go on', async (t, nginx) => {
  const [a, b] = ['127.0.0.5', '127.0.0.6']
  const dave = basicHeader('dave', 'dave-pw')
  const erin = basicHeader('erin', 'erin-pw')
  const token = JSON.parse((await rawRequest(nginx.port, '/token', [dave], 'GET', a)).body).token as string
  t.truthy(token)
  // Failures on a store route count as on /authenticate: 2 there and 1 on /token lock the pair.
  for (let i = 0; i < 2; i++) t.is(await status(nginx.port, a, [basicHeader('dave', 'guess-' + i)]), 401)
  t.is(await status(nginx.port, a, [basicHeader('dave', 'guess-2')], '/token'), 401)
  const logStart = nginx.errorLogSize()
  for (const path of ['/token', '/tokens']) t.is(await status(nginx.port, a, [dave], path), 401, path)
  t.is((await rawRequest(nginx.port, `/token/${token}`, [dave], 'DELETE', a)).status, 401, 'DELETE /token/{t}')
  // Refused without a check: the locked pair's requests log no store access and no new failure.
  t.false(/store\.request|auth\.lockout\.engaged/.test(nginx.errorLogSince(logStart)))
  // Another user from a, and dave from b, are unaffected; dave's token itself still works from b.
  t.is(await status(nginx.port, a, [erin], '/token'), 200)
  t.is(await status(nginx.port, a, [erin], '/tokens'), 200)
  t.is(await status(nginx.port, b, [dave], '/tokens'), 200)
  t.is(await status(nginx.port, b, [`Authorization: Bearer ${token}`]), 200)
  t.is((await rawRequest(nginx.port, `/token/${token}`, [dave], 'DELETE', b)).status, 204)
})

oldSuite.test('njs 0.7.9: a config with auth.lockout answers 500 and the error log names the alternative', async (t, nginx) => {
  const logStart = nginx.errorLogSize()
  t.is(await status(nginx.port, '127.0.0.2', [basicHeader('alice', 'alice-pw')]), 500)
  const log = nginx.errorLogSince(logStart)
  t.regex(log, /ERR_LOCKOUT_UNAVAILABLE/)
  t.regex(log, /auth\.lockout needs the shared dict zone authotron_lockout \(njs >= 0\.8\.0, nginx\/authotron-lockout\.conf\); this is njs 0\.7\.9: .*limit_req/)
  t.false(log.includes('alice-pw'))
})
