import test from 'ava'
import { createHash } from 'node:crypto'
import { KEY_PREFIX } from '../../../../src/config/compiled'
import { errorCode, ErrorCode } from '../../../../src/errors'
import { hashPassword, parseStoredPassword, plainVerifier } from '../../../../src/passwords/parse'
import { unknownUserVerifier } from '../../../../src/providers/plain/compile'
import type { CompiledPlainProvider, PasswordVerifier } from '../../../../src/providers/plain/compiled'
import { plainProvider } from '../../../../src/providers/plain/runtime'
import type { Crypto } from '../../../../src/platform'
import { basic } from '../../support/config'
import { testCrypto, testPlatform } from '../../support/platform'

/** A platform whose crypto records every call: the hash work a request did, by kind. */
function countingPlatform() {
  const calls: string[] = []
  const crypto: Crypto = {
    ...testCrypto,
    digest(algorithm, parts) {
      calls.push(`digest ${algorithm}`)
      return testCrypto.digest(algorithm, parts)
    },
    pbkdf2(password, salt, iterations, hash, length) {
      calls.push(`pbkdf2 ${hash} ${iterations} ${salt.length} ${length}`)
      return testCrypto.pbkdf2(password, salt, iterations, hash, length)
    },
  }
  return { calls, platform: { ...testPlatform(), crypto } }
}

function provider(users: { username: string; verifier: PasswordVerifier }[]): CompiledPlainProvider {
  const table: CompiledPlainProvider['users'] = {}
  for (const user of users) (table[KEY_PREFIX + user.username] ??= []).push({ verifier: user.verifier, roles: [] })
  const compiled: CompiledPlainProvider = { type: 'plain', name: 'p', realm: 'r', filterRealm: 'r', scheme: 'Basic', users: table }
  const decoy = unknownUserVerifier(users.map((user) => user.verifier))
  if (decoy !== undefined) compiled.unknownUserVerifier = decoy
  return compiled
}

async function refusal(p: CompiledPlainProvider, authorization: string) {
  const { calls, platform } = countingPlatform()
  try {
    await plainProvider.authenticate(p, authorization.slice('Basic '.length), { platform })
    return { code: 'accepted', calls }
  } catch (e) {
    return { code: errorCode(e), calls }
  }
}

const FORMS: [string, PasswordVerifier][] = [
  ['clear text', plainVerifier('s3cret')],
  ['{SHA}', parseStoredPassword('{SHA}' + createHash('sha1').update('s3cret').digest('base64'))],
  ['{SSHA}', parseStoredPassword('{SSHA}' + Buffer.concat([Buffer.alloc(20, 7), Buffer.from('salt1234')]).toString('base64'))],
  ['$apr1$', parseStoredPassword('$apr1$saltsalt$BoRIWxTpGcqqLd7QVmbu81')],
  ['PBKDF2', parseStoredPassword(hashPassword('s3cret', { iterations: 1000 }))],
]

for (const [form, verifier] of FORMS) {
  test(`${form}: an unknown username runs the same hash work as a known one with a wrong password`, async (t) => {
    const p = provider([{ username: 'alice', verifier }])
    const known = await refusal(p, basic('alice', 'wrong-password'))
    const unknown = await refusal(p, basic('mallory', 'wrong-password'))
    t.is(known.code, ErrorCode.BadCredentials)
    t.is(unknown.code, ErrorCode.BadCredentials)
    t.true(known.calls.length > 0)
    t.deepEqual(unknown.calls, known.calls)
  })
}

test('the decoy is the costliest form of the provider, and no password matches it', async (t) => {
  const pbkdf2 = parseStoredPassword(hashPassword('s3cret', { iterations: 2000 }))
  const p = provider([
    { username: 'cheap', verifier: plainVerifier('s3cret') },
    { username: 'dear', verifier: pbkdf2 },
    { username: 'middle', verifier: FORMS[3][1] },
  ])
  t.like(p.unknownUserVerifier, { form: 'pbkdf2', iterations: 2000 })
  const unknown = await refusal(p, basic('nobody', 's3cret'))
  t.is(unknown.code, ErrorCode.BadCredentials)
  t.deepEqual(unknown.calls, (await refusal(p, basic('dear', 'wrong'))).calls)
})

test('the decoy differs from every stored digest, and the same users compile to the same decoy', (t) => {
  for (const [, verifier] of FORMS) {
    const decoy = unknownUserVerifier([verifier])!
    t.is(decoy.form, verifier.form)
    t.notDeepEqual(decoy, verifier)
    t.deepEqual(unknownUserVerifier([verifier]), decoy)
  }
  t.is(unknownUserVerifier([]), undefined)
})

test('a provider compiled without a decoy still refuses unknown usernames', async (t) => {
  const p = provider([{ username: 'alice', verifier: plainVerifier('s3cret') }])
  delete p.unknownUserVerifier
  const unknown = await refusal(p, basic('mallory', 's3cret'))
  t.is(unknown.code, ErrorCode.BadCredentials)
  t.deepEqual(unknown.calls, [])
})

test('a known user with the right password is still accepted', async (t) => {
  const p = provider([{ username: 'alice', verifier: plainVerifier('s3cret') }])
  t.is((await refusal(p, basic('alice', 's3cret'))).code, 'accepted')
})
