import test from 'ava'
import { health, HEALTH_BODY, jwksAnswer, LDAP_SNAPSHOT_HEADER } from '../../../src/auth/answers'
import type { CompiledLdapAugmenter } from '../../../src/augmenters/ldap/compiled'
import { testConfig } from '../support/config'

function ldap(name: string, takenAt: string | null): CompiledLdapAugmenter {
  return {
    type: 'ldap',
    name,
    realm: 'r',
    snapshot: takenAt === null ? null : { takenAt, groups: [], groupRoles: [], members: {} },
  }
}

test('/health without ldap augmenters: the reference answer, no extra header', (t) => {
  t.deepEqual(health(testConfig([]), Date.now()), { status: 200, headers: [], body: HEALTH_BODY })
})

test('/health names each ldap snapshot with its age in seconds, or says there is none', (t) => {
  const config = testConfig([], [ldap('corp', '2026-12-06T10:00:00.000Z'), ldap('lab\r\nX-Evil: 1', null)])
  const answer = health(config, Date.parse('2026-12-06T10:02:03.900Z'))
  t.is(answer.status, 200)
  t.is(answer.body, 'OK')
  t.deepEqual(answer.headers, [[LDAP_SNAPSHOT_HEADER, 'corp; taken_at=2026-12-06T10:00:00.000Z; age=123, labX-Evil: 1; none']])
})

test('/health: a snapshot stamped in the future (clock skew) reads as age 0', (t) => {
  const answer = health(testConfig([], [ldap('corp', '2026-12-06T10:00:10.000Z')]), Date.parse('2026-12-06T10:00:00.000Z'))
  t.regex(answer.headers[0][1], /age=0$/)
})

test('/.well-known/jwks.json: the compiled JWK Set with its media type and cache time; 404 with HS256', (t) => {
  const hs256 = testConfig([])
  t.deepEqual(jwksAnswer(hs256), { status: 404, headers: [], body: '' })
  const jwks = '{"keys":[{"kty":"EC","kid":"k","use":"sig","alg":"ES256","crv":"P-256","x":"x","y":"y"}]}'
  t.deepEqual(jwksAnswer({ ...hs256, jwt: { iss: 'i', exp: 1, alg: 'ES256', jwks } }), {
    status: 200,
    headers: [
      ['Content-Type', 'application/jwk-set+json'],
      ['Cache-Control', 'public, max-age=300'],
    ],
    body: jwks,
  })
})
