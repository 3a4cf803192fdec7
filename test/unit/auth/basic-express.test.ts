/**
 * The express Basic path (src/auth/basic-express.ts over config/basic-grants.ts) against the full
 * pipeline (src/auth/grant.ts): configs compiled by the real compiler, the same clock, and for
 * every request either the very same token, or no express answer at all.
 */
import test from 'ava'
import { expressBasicGrant } from '../../../src/auth/basic-express'
import { obtainGrant } from '../../../src/auth/grant'
import type { CompiledConfig } from '../../../src/config/compiled'
import { errorCode } from '../../../src/errors'
import { userJson } from '../../../src/user'
import { hashPassword } from '../../../src/passwords/parse'
import { compileText, configText } from '../config/support'
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
  - {type: plain, name: second, realm: OtherRealm, users: [{username: alice, password: other, roles: [elsewhere]}, {username: dave, password: dave-pw}]}
  - {type: plain, name: files, realm: filerealm, users: [], htpasswd_file: users.htpasswd}`

const AUGMENTERS = `augmenters:
  - {type: plain, name: basic-roles, realm: localrealm, roles: {admin: [alice]}}
  - {type: plain_advanced, name: promote, realm: localrealm, match: {role: [admin]}, augment: {roles: [admin, superuser], attributes: {team: core, exp: "1766999000"}}}
  - {type: plain_advanced, name: tag, realm: OtherRealm, match: {username: [dave]}, augment: {attributes: {note: "line\\nbreak"}}}`

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

function express(config: CompiledConfig, authorization: string) {
  return expressBasicGrant(authorization, config.basicGrants!, config.jwt, NOW, testCrypto)
}

test('every success of the express path is the full pipeline’s, token for token', async (t) => {
  const config = compiled()
  t.truthy(config.basicGrants)
  const answered = []
  for (const [username, password] of [
    ['alice', 'wonderland'], // augmented: roles from both augmenters, exp capped by an attribute
    ['alice', 'second-entry'], // a later entry of the same provider
    ['alice', 'other'], // the second provider, after the first said no
    ['dave', 'dave-pw'], // an attribute with a line break
    ['bob', 'b:c:d'], // split at the first colon
    ['carol', ''], // an empty password
  ]) {
    const header = basic(username, password)
    const grant = express(config, header)
    t.truthy(grant, `${username}:${password}`)
    const full = await fullPath(config, header)
    t.deepEqual({ token: grant!.token, expiresAt: grant!.expiresAt, userJson: grant!.row.userJson }, full, `${username}:${password}`)
    answered.push(grant!.token)
  }
  t.is(new Set(answered).size, answered.length)
})

test('what the express path does not answer, the full pipeline does — failures included', async (t) => {
  const config = compiled()
  const declined = [
    basic('alice', 'wrong'), // wrong password: a 401, told by the full path
    basic('nobody', 'x'), // unknown user
    basic('hashed', 'pw'), // a PBKDF2 password: the full path verifies it
    basic('ütf', 'x'), // non-ASCII credentials
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
  for (const header of declined) t.is(express(config, header), undefined, header)
  // …and the full path still answers those it can.
  t.truthy((await fullPath(config, basic('hashed', 'pw'))).token)
  t.truthy((await fullPath(config, basic('ütf', 'x'))).token)
  t.is((await fullPath(config, basic('alice', 'wrong'))).error, 'ERR_ALL_FAILED')
})

test('one row per candidate in the full pipeline’s order; hashed passwords are left to it', async (t) => {
  const config = compiled()
  const rows = config.basicGrants!.byUsername['=alice']
  // Two entries of `first`, one of `second`, then the htpasswd file's (an $apr1$ hash).
  t.is(rows.length, 4)
  t.deepEqual(rows.map((row) => row.passwordCheck === null), [false, false, false, true])
  t.true(config.basicGrants!.byUsername['=hashed'].every((row) => row.passwordCheck === null))
  t.true(config.basicGrants!.byUsername['=bob'].some((row) => row.passwordCheck === null)) // {SHA} in htpasswd
  // The htpasswd file's {PLAIN} user is a clear-text password like any other.
  const carol = express(config, basic('carol', 'carol-pw'))
  t.truthy(carol)
  t.is(carol!.token, (await fullPath(config, basic('carol', 'carol-pw'))).token!)
  // Non-ASCII passwords (the htpasswd file's) are the full path's.
  t.is(express(config, basic('alice', 'pässword')), undefined)
  t.truthy((await fullPath(config, basic('alice', 'pässword'))).token)
})

test('no table where the full pipeline must answer every Basic request', (t) => {
  // Logging at debug: the full path logs each provider's success, the express path would not.
  t.is(compiled({ logging: 'logging: {level: debug, format: json}' }).basicGrants, undefined)
  t.is(compiled({ logging: 'logging: {level: trace, format: json}' }).basicGrants, undefined)
  // No plain provider.
  const jwtOnly = `providers:\n  - {type: jwt, name: idp, realm: idp, cert_uri: "https://idp.example/certs", iam_realm: x}`
  t.is(compiled({ providers: jwtOnly, augmenters: '' }).basicGrants, undefined)
})

test('the password checks are keyed by a secret of the config, and hold no password', (t) => {
  const config = compiled()
  const other = compiled({ jwt: 'jwt: {iss: me, exp: 3600, secret: another-secret-another-secret-0123}' })
  const check = config.basicGrants!.byUsername['=alice'][0].passwordCheck
  t.is(typeof check, 'string')
  t.not(check, other.basicGrants!.byUsername['=alice'][0].passwordCheck)
  t.not(config.basicGrants!.salt, other.basicGrants!.salt)
  const text = JSON.stringify(config.basicGrants)
  for (const password of ['wonderland', 'second-entry', 'dave-pw', 'b:c:d']) t.false(text.includes(password), password)
  // The same YAML compiles to the same table: the config id stays stable.
  t.deepEqual(compiled().basicGrants, config.basicGrants)
  t.is(compiled().configId, config.configId)
})
