/**
 * The precomputed Basic path (src/auth/precomputed-basic.ts over compiler/basic-grants.ts) against the full
 * pipeline (src/auth/grant.ts): configs compiled by the real compiler, the same clock, and for
 * every request either the very same token, or no precomputed Basic answer at all.
 */
import test from 'ava'
import { precomputedBasicGrant } from '../../../src/auth/precomputed-basic'
import { obtainGrant } from '../../../src/auth/grant'
import type { CompiledConfig } from '../../../src/config/compiled'
import { errorCode } from '../../../src/errors'
import { userJson } from '../../../src/user'
import { hashPassword } from '../../../src/passwords/parse'
import { compileText, configText } from '../compiler/support'
import { basic } from '../support/config'
import { testCrypto, testPlatform } from '../support/platform'

const NOW = 1_766_996_400

const PROVIDERS = `providers:
  - type: plain
    name: first
    realm: localrealm
    users:
      - {username: alice, password: wonderland, roles: [reader]}
      - {username: alice, password: second-entry}
      - {username: hashed, password_hash: "${hashPassword('pw', { iterations: 1000 })}"}
      - {username: bob, password: "b:c:d"}
      - {username: carol, password: ""}
      - {username: ütf, password: x}
      - {username: "e:f", password: g}
  - {type: plain, name: second, realm: OtherRealm, users: [{username: alice, password: other, roles: [elsewhere]}, {username: dave, password: dave-pw}, {username: hashed, password: later}]}
  - {type: plain, name: directory, realm: ldaprealm, users: [{username: erin, password: erin-pw}]}
  - {type: plain, name: files, realm: filerealm, users: [{username: erin, password: erin-pw}, {username: erin, password: erin-2}], htpasswd_file: users.htpasswd}`

const AUGMENTERS = `augmenters:
  - {type: plain, name: basic-roles, realm: localrealm, roles: {admin: [alice]}}
  - {type: plain_advanced, name: promote, realm: localrealm, match: {role: [admin]}, augment: {roles: [admin, superuser], attributes: {team: core, exp: "1766999000"}}}
  - {type: plain_advanced, name: tag, realm: OtherRealm, match: {username: [dave]}, augment: {attributes: {note: "line\\nbreak"}}}
  - {type: ldap, name: dir, realm: ldaprealm, uri: "ldap://127.0.0.1:9", search_base: "dc=example", ldap_password: p, filters: ["OU=A"], bind_dn: d}`

function compiled(changes: { [key: string]: string } = {}): CompiledConfig {
  const result = compileText(configText({ providers: PROVIDERS, augmenters: AUGMENTERS, ...changes }))
  if (result.config === undefined) throw new Error(result.errors.join('\n'))
  return result.config
}

/** The full pipeline's answer, or its error code. */
async function fullPath(
  config: CompiledConfig,
  authorization: string,
): Promise<{ token?: string; expiresAt?: number; userJson?: string; error?: string }> {
  const platform = testPlatform(NOW)
  try {
    const grant = await obtainGrant({ authorization, realm: undefined }, config, platform)
    return { token: grant.token, expiresAt: grant.expiresAt, userJson: userJson(grant.user) }
  } catch (e) {
    return { error: errorCode(e) }
  }
}

function precomputed(config: CompiledConfig, authorization: string) {
  return precomputedBasicGrant(authorization, config.precomputedBasic!, config.jwt, NOW, testCrypto)
}

test('every success of the precomputed Basic path is the full pipeline’s, token for token', async (t) => {
  const config = compiled()
  t.truthy(config.precomputedBasic)
  const answered = []
  for (const [username, password] of [
    ['alice', 'wonderland'], // augmented: roles from both augmenters, exp capped by an attribute
    ['alice', 'second-entry'], // a later entry of the same provider
    ['alice', 'other'], // the second provider, after the first said no
    ['dave', 'dave-pw'], // an attribute with a line break
    ['bob', 'b:c:d'], // split at the first colon
    ['carol', ''], // an empty password
    ['carol', 'carol-pw'], // the htpasswd file's {PLAIN} user, after the YAML's
    ['ütf', 'x'], // UTF-8: the canonical base64 of its bytes is what the table files
    ['erin', 'erin-2'], // past an entry in a realm with an LDAP augmenter that did not match
  ]) {
    const header = basic(username, password)
    const grant = precomputed(config, header)
    t.truthy(grant, `${username}:${password}`)
    const full = await fullPath(config, header)
    t.deepEqual({ token: grant!.token, expiresAt: grant!.expiresAt, userJson: grant!.row.userJson }, full, `${username}:${password}`)
    answered.push(grant!.token)
  }
  t.is(new Set(answered).size, answered.length)
})

test('what the precomputed Basic path does not answer, the full pipeline does — failures included', async (t) => {
  const config = compiled()
  const declined = [
    basic('alice', 'wrong'), // wrong password: a 401, told by the full path
    basic('nobody', 'x'), // unknown user
    basic('hashed', 'pw'), // a PBKDF2 password: the full path verifies it
    basic('hashed', 'later'), // a clear-text entry after a hashed one: the hash might match first
    basic('erin', 'erin-pw'), // answered first in a realm with an LDAP augmenter
    basic('e', 'f:g'), // user "e:f": Basic splits at the first colon, so this is user "e"
    basic('alice', 'pässword'), // the htpasswd file's $apr1$ entry
    'Basic ' + Buffer.from('ütf:x', 'latin1').toString('base64'), // the same text in Latin-1 bytes
    'basic ' + Buffer.from('alice:wonderland').toString('base64'), // another spelling of the scheme
    'plain ' + Buffer.from('alice:wonderland').toString('base64'),
    'Basic  ' + Buffer.from('alice:wonderland').toString('base64'), // two spaces
    'Basic ' + Buffer.from('alice:wonderland').toString('base64') + ', Bearer x', // two credentials
    'Basic ' + Buffer.from('alice:wonderland').toString('base64').replace(/=+$/, ''), // padding dropped
    'Basic YWxpY2U6d29uZGVybGFuZA==x',
    'Basic YR==', // non-zero trailing bits
    'Basic ' + Buffer.from(':x').toString('base64'), // no username
    'Basic ' + Buffer.from([0x61, 0xc0, 0x80, 0x3a, 0x62]).toString('base64'), // overlong UTF-8
    'Basic ' + Buffer.from([0x61, 0xff, 0x3a, 0x62]).toString('base64'), // invalid UTF-8
    'Basic ',
    'Bearer abc',
  ]
  for (const header of declined) t.is(precomputed(config, header), undefined, header)
  // …and the full path still answers those it can.
  t.truthy((await fullPath(config, basic('hashed', 'pw'))).token)
  t.truthy((await fullPath(config, basic('hashed', 'later'))).token)
  t.truthy((await fullPath(config, basic('alice', 'pässword'))).token)
  t.is((await fullPath(config, basic('alice', 'wrong'))).error, 'ERR_ALL_FAILED')
  t.is((await fullPath(config, basic('e', 'f:g'))).error, 'ERR_ALL_FAILED')
})

test('one row per credential the full pipeline answers from a static realm, and nothing else', (t) => {
  const rows = Object.values(compiled().precomputedBasic!.byCredential)
  const answered = rows.map((row) => JSON.parse(row.userJson).username + '@' + JSON.parse(row.userJson).realm).sort()
  // alice ×3 (two entries of `first`, one of `second`), bob, carol ×2 (YAML, {PLAIN}), dave, erin's
  // second password, ütf. Not: hashed (both entries), erin-pw (the LDAP realm's), "e:f", the
  // htpasswd file's hashes.
  t.deepEqual(answered, [
    'alice@OtherRealm', 'alice@localrealm', 'alice@localrealm', 'bob@localrealm', 'carol@filerealm',
    'carol@localrealm', 'dave@OtherRealm', 'erin@filerealm', 'ütf@localrealm',
  ])
})

test('no table where the full pipeline must answer every Basic request', (t) => {
  // Logging at debug: the full path logs each provider's success, the precomputed Basic path would not.
  t.is(compiled({ logging: 'logging: {level: debug, format: json}' }).precomputedBasic, undefined)
  t.is(compiled({ logging: 'logging: {level: trace, format: json}' }).precomputedBasic, undefined)
  // No plain provider.
  const jwtOnly = `providers:\n  - {type: jwt, name: idp, realm: idp, cert_uri: "https://idp.example/certs", iam_realm: x}`
  t.is(compiled({ providers: jwtOnly, augmenters: '' }).precomputedBasic, undefined)
})

test('the credential checks are keyed by a secret of the config, and hold no password', (t) => {
  const config = compiled()
  const other = compiled({ jwt: 'jwt: {iss: me, exp: 3600, secret: another-secret-another-secret-0123}' })
  const checks = Object.keys(config.precomputedBasic!.byCredential)
  t.is(checks.length, 9)
  for (const check of checks) t.regex(check, /^[A-Za-z0-9_-]{43}$/)
  const otherChecks = Object.keys(other.precomputedBasic!.byCredential)
  t.is(checks.filter((check) => otherChecks.includes(check)).length, 0)
  t.not(config.precomputedBasic!.salt, other.precomputedBasic!.salt)
  const text = JSON.stringify(config)
  for (const password of ['wonderland', 'second-entry', 'dave-pw', 'b:c:d', 'carol-pw', 'erin-2']) t.false(text.includes(password), password)
  for (const password of ['wonderland', 'carol-pw']) {
    const credential = basic(password === 'carol-pw' ? 'carol' : 'alice', password).slice('Basic '.length)
    t.false(text.includes(credential), credential)
  }
  // The same YAML compiles to the same table: the config id stays stable.
  t.deepEqual(compiled().precomputedBasic, config.precomputedBasic)
  t.is(compiled().configId, config.configId)
})

test('the precomputed Basic path costs an unknown username what a known one with a wrong password costs', (t) => {
  const config = compiled()
  const work = (authorization: string) => {
    const calls: string[] = []
    const crypto = {
      sha256Base64url: (text: string) => (calls.push('sha256'), testCrypto.sha256Base64url(text)),
      hmacSha256Base64url: (key: string, data: string) => (calls.push('hmac'), testCrypto.hmacSha256Base64url(key, data)),
    }
    t.is(precomputedBasicGrant(authorization, config.precomputedBasic!, config.jwt, NOW, crypto), undefined)
    return calls
  }
  // One keyed digest of the whole header and a miss, whoever the user: both then take the full
  // pipeline, where the plain provider's decoy verifier evens out the rest (providers/plain).
  t.deepEqual(work(basic('alice', 'wrong')), ['sha256'])
  t.deepEqual(work(basic('nobody', 'wrong')), ['sha256'])
})
