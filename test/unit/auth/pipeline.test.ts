import test from 'ava'
import { authenticate } from '../../../src/auth/pipeline'
import { errorCode, ErrorCode, codedError } from '../../../src/errors'
import { providerModules } from '../../../src/providers/index'
import { augmenterModules } from '../../../src/augmenters/index'
import type { CompiledProvider } from '../../../src/config/compiled'
import { newUser, User } from '../../../src/user'
import { basic, plainProvider, testConfig } from '../support/config'
import { testPlatform } from '../support/platform'

const seed = plainProvider('plain-provider', 'localrealm', [
  { username: 'test_user', password: 'secret123' },
  { username: 'test_user2', password: 'p@ssw0rd', roles: ['ops'] },
])

async function run(config: ReturnType<typeof testConfig>, authorization?: string, realm?: string): Promise<User> {
  return authenticate({ authorization, realm }, config, testPlatform())
}

async function failureCode(config: ReturnType<typeof testConfig>, authorization?: string, realm?: string) {
  try {
    await run(config, authorization, realm)
    return 'accepted'
  } catch (e) {
    return errorCode(e)
  }
}

test('the seed user authenticates synchronously, without a promise', (t) => {
  const outcome = authenticate({ authorization: basic('test_user', 'secret123'), realm: undefined }, testConfig([seed]), testPlatform())
  t.false(outcome instanceof Promise)
  t.deepEqual(outcome, newUser('test_user', 'localrealm', []))
})

test('roles come from the matching entry and are a copy', async (t) => {
  const config = testConfig([seed])
  const user = await run(config, basic('test_user2', 'p@ssw0rd'))
  t.deepEqual(user.roles, ['ops'])
  user.roles.push('mutated')
  t.deepEqual((await run(config, basic('test_user2', 'p@ssw0rd'))).roles, ['ops'])
})

const failures: [string, string | undefined, string][] = [
  ['wrong password', basic('test_user', 'nope'), ErrorCode.AllFailed],
  ['unknown user', basic('nobody', 'secret123'), ErrorCode.AllFailed],
  ['no header', undefined, ErrorCode.HeaderMissing],
  ['invalid base64', 'Basic !!!!', ErrorCode.AllFailed],
  ['url-safe base64', 'Basic ' + Buffer.from('test_user:secret123?>').toString('base64url'), ErrorCode.AllFailed],
  ['missing padding', 'Basic dGVzdF91c2VyOnNlY3JldDEyMw', ErrorCode.AllFailed],
  ['invalid UTF-8', 'Basic ' + Buffer.from([0xff, 0x3a, 0x61]).toString('base64'), ErrorCode.AllFailed],
  ['empty username', basic('', 'secret123'), ErrorCode.AllFailed],
  ['username with spaces', basic(' test_user ', 'secret123'), ErrorCode.AllFailed],
  ['no colon', 'Basic ' + Buffer.from('test_user').toString('base64'), ErrorCode.AllFailed],
  ['only a Bearer', 'Bearer abc', ErrorCode.AllFailed],
  ['unknown scheme', 'Token abc', ErrorCode.AllFailed],
  ['malformed part next to a good one', basic('test_user', 'secret123') + ', Bearer', ErrorCode.HeaderInvalid],
  ['good then bad of the same scheme: last wins', basic('test_user', 'secret123') + ', ' + basic('test_user', 'bad'), ErrorCode.AllFailed],
]
for (const [name, header, code] of failures) {
  test(`rejects: ${name}`, async (t) => {
    t.is(await failureCode(testConfig([seed]), header), code)
  })
}

test('bad then good of the same scheme: the last one wins', async (t) => {
  const user = await run(testConfig([seed]), basic('test_user', 'bad') + ', ' + basic('test_user', 'secret123'))
  t.is(user.username, 'test_user')
})

test('password may contain colons; a user without colon matches an empty password', async (t) => {
  const config = testConfig([
    plainProvider('p', 'r', [
      { username: 'u', password: 'pass:word' },
      { username: 'nopass', password: '' },
    ]),
  ])
  t.is((await run(config, basic('u', 'pass:word'))).username, 'u')
  t.is((await run(config, 'Basic ' + Buffer.from('nopass').toString('base64'))).username, 'nopass')
})

test('the first matching entry in config order wins for duplicated usernames', async (t) => {
  const config = testConfig([
    plainProvider('p', 'r', [
      { username: 'u', password: 'one', roles: ['first'] },
      { username: 'u', password: 'two', roles: ['second'] },
      { username: 'u', password: 'one', roles: ['third'] },
    ]),
  ])
  t.deepEqual((await run(config, basic('u', 'one'))).roles, ['first'])
  t.deepEqual((await run(config, basic('u', 'two'))).roles, ['second'])
})

test('usernames that name built-in properties are ordinary users', async (t) => {
  const config = testConfig([plainProvider('p', 'r', [{ username: '__proto__', password: 'x' }])])
  t.is((await run(config, basic('__proto__', 'x'))).username, '__proto__')
  t.is(await failureCode(config, basic('constructor', 'x')), ErrorCode.AllFailed)
  t.is(await failureCode(config, basic('toString', '')), ErrorCode.AllFailed)
})

test('X-Auth-Realm filters providers case-insensitively; an empty one matches nothing', async (t) => {
  const config = testConfig([
    plainProvider('a', 'RealmA', [{ username: 'u', password: 'p', roles: ['a'] }]),
    plainProvider('b', 'realmB', [{ username: 'u', password: 'p', roles: ['b'] }]),
  ])
  t.is((await run(config, basic('u', 'p'))).realm, 'RealmA')
  t.is((await run(config, basic('u', 'p'), 'REALMB')).realm, 'realmB')
  t.is((await run(config, basic('u', 'p'), 'realma')).realm, 'RealmA')
  t.is(await failureCode(config, basic('u', 'p'), ''), ErrorCode.AllFailed)
  t.is(await failureCode(config, basic('u', 'p'), 'other'), ErrorCode.AllFailed)
  // A realm header that is not visible ASCII counts as absent: no filter.
  t.is((await run(config, basic('u', 'p'), 'r\u00e9alm')).realm, 'RealmA')
})

// Asynchronous providers registered for these tests only: they stand for the Bearer providers of
// later issues (HTTP-backed), to prove the chain's concurrency, timeout and ordering rules.
function asyncProvider(name: string, realm: string, delayMs: number, accepts: boolean): CompiledProvider {
  return { type: 'test-async', name, realm, filterRealm: realm.toLowerCase(), scheme: 'Bearer', delayMs, accepts }
}
providerModules['test-async'] = () => ({
  authenticate(provider: any) {
    return new Promise<User>((resolve, reject) =>
      setTimeout(
        () => (provider.accepts ? resolve(newUser(provider.name, provider.realm, [])) : reject(codedError(ErrorCode.BadCredentials, 'no'))),
        provider.delayMs,
      ),
    )
  },
})

test('concurrent providers: the first to succeed wins, not the first configured', async (t) => {
  const config = testConfig([asyncProvider('slow', 'r', 80, true), asyncProvider('fast', 'r', 5, true)])
  t.is((await run(config, 'Bearer tok')).username, 'fast')
})

test('a provider slower than auth.timeout_in_ms loses; the next scheme is tried', async (t) => {
  const config = testConfig([asyncProvider('late', 'r', 400, true), seed])
  config.timeoutMs = 50
  const started = Date.now()
  t.is(await failureCode(config, 'Bearer tok'), ErrorCode.AllFailed)
  t.true(Date.now() - started < 300)
  t.is((await run(config, 'Bearer tok, ' + basic('test_user', 'secret123'))).username, 'test_user')
})

test('schemes are tried in header order', async (t) => {
  const config = testConfig([asyncProvider('bearer-user', 'r', 1, true), seed])
  t.is((await run(config, 'Bearer tok, ' + basic('test_user', 'secret123'))).username, 'bearer-user')
  t.is((await run(config, basic('test_user', 'secret123') + ', Bearer tok')).username, 'test_user')
})

test('when every provider fails the chain moves on, then fails as a whole', async (t) => {
  const config = testConfig([asyncProvider('no1', 'r', 1, false), asyncProvider('no2', 'r', 2, false)])
  t.is(await failureCode(config, 'Bearer tok'), ErrorCode.AllFailed)
})

test('a synchronous provider answering first wins the tie in config order', async (t) => {
  const config = testConfig([
    plainProvider('first', 'r1', [{ username: 'u', password: 'p' }]),
    plainProvider('second', 'r2', [{ username: 'u', password: 'p' }]),
  ])
  t.is((await run(config, basic('u', 'p'))).realm, 'r1')
})

test('a provider type this build does not implement rejects, and is logged', async (t) => {
  const config = testConfig([{ type: 'token-store', name: 'store', realm: 'store', filterRealm: 'store', scheme: 'Bearer' }])
  const platform = testPlatform()
  await t.throwsAsync(async () => authenticate({ authorization: 'Bearer x', realm: undefined }, config, platform))
  t.truthy(platform.logs.find((l) => l.event === 'auth.provider.failed' && l.fields?.code === ErrorCode.ProviderUnsupported))
})

test('augmenters: parallel group first in config order, then plain_advanced in config order', async (t) => {
  const config = testConfig(
    [seed],
    [
      { type: 'plain_advanced', name: 'adv1', realm: 'localrealm', matchUsernames: [], matchRoles: ['from-plain'], roles: ['from-adv1'], attributes: [] },
      { type: 'plain', name: 'plain1', realm: 'localrealm', roles: [['from-plain', ['test_user']]] },
      { type: 'plain_advanced', name: 'adv2', realm: 'localrealm', matchUsernames: [], matchRoles: ['from-adv1'], roles: ['from-adv2', 'from-plain'], attributes: [['k', 'v']] },
      { type: 'plain', name: 'plain2', realm: 'localrealm', roles: [['from-plain', ['test_user']]] },
      { type: 'plain', name: 'elsewhere', realm: 'LocalRealm', roles: [['wrong-realm', ['test_user']]] },
    ],
  )
  const user = await run(config, basic('test_user', 'secret123'))
  t.deepEqual(user.roles, ['from-plain', 'from-plain', 'from-adv1', 'from-adv2'])
  t.deepEqual(user.attributes, { k: 'v' })
})

test('a failing augmenter is logged and never fails the request', async (t) => {
  augmenterModules['test-failing'] = {
    augment() {
      throw new Error('directory unreachable')
    },
  }
  augmenterModules['test-rejecting'] = {
    augment: () => Promise.reject(new Error('timeout')),
  }
  const config = testConfig(
    [seed],
    [
      { type: 'test-failing', name: 'broken', realm: 'localrealm' },
      { type: 'test-rejecting', name: 'slow', realm: 'localrealm' },
      { type: 'ldap', name: 'not-implemented', realm: 'localrealm' },
      { type: 'plain', name: 'ok', realm: 'localrealm', roles: [['still-added', ['test_user']]] },
    ],
  )
  const platform = testPlatform()
  const user = await authenticate({ authorization: basic('test_user', 'secret123'), realm: undefined }, config, platform)
  t.deepEqual(user.roles, ['still-added'])
  const failed = platform.logs.filter((l) => l.event === 'auth.augmenter.failed').map((l) => l.fields?.augmenter)
  t.deepEqual(failed.sort(), ['broken', 'not-implemented', 'slow'])
})

test('no credential or password ever reaches a log line', async (t) => {
  const platform = testPlatform()
  const config = testConfig([seed, asyncProvider('bearer', 'r', 1, false)])
  for (const header of [basic('test_user', 'secret123'), basic('test_user', 'hunter2'), 'Bearer sup3rsecrettoken', 'Basic !!', 'a b c']) {
    try {
      await authenticate({ authorization: header, realm: undefined }, config, platform)
    } catch {}
  }
  const text = JSON.stringify(platform.logs)
  for (const secret of ['secret123', 'hunter2', 'sup3rsecrettoken', Buffer.from('test_user:secret123').toString('base64')]) {
    t.false(text.includes(secret), secret)
  }
})
