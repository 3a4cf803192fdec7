/**
 * The refresh-token flow both openid-offline and ecmwf-token-generator run (runtime-flow.ts):
 * validate → exchange → the access token through the jwt provider; the reference's error texts;
 * a cached "not valid" asked again past the cache; never the token in an error.
 */
import test from 'ava'
import { errorCode, ErrorCode } from '../../../../src/errors'
import { refreshTokenFlow, RefreshTokenCalls, RemoteReply } from '../../../../src/providers/openid-offline/runtime-flow'
import { OPENID_OFFLINE_TEXTS } from '../../../../src/providers/openid-offline/runtime'
import { TOKEN_GENERATOR_TEXTS } from '../../../../src/providers/ecmwf-token-generator/runtime'
import { jwtTestPlatform, jwtTestProvider } from '../../support/jwt-provider'
import { sign, testKey } from '../../support/tokens'

const NOW = 1_766_996_400
const OFFLINE = 'offline-token-&+%= secret'

interface Script {
  validate: RemoteReply[]
  exchange: RemoteReply[]
  asked: string[]
}

function scripted(validate: RemoteReply[], exchange: RemoteReply[]): RefreshTokenCalls & { script: Script } {
  const script: Script = { validate: [...validate], exchange: [...exchange], asked: [] }
  return {
    script,
    validate(recheck) {
      script.asked.push(recheck ? 'recheck' : 'validate')
      const next = script.validate.shift()
      return next ? Promise.resolve(next) : Promise.reject(new Error('not scripted'))
    },
    exchange() {
      script.asked.push('exchange')
      const next = script.exchange.shift()
      return next ? Promise.resolve(next) : Promise.reject(new Error('not scripted'))
    },
  }
}

const reply = (body: unknown, cached?: boolean, status = 200): RemoteReply => ({
  status,
  body: typeof body === 'string' ? body : JSON.stringify(body),
  cached,
})

async function setup() {
  const key = await testKey('RS256')
  const platform = jwtTestPlatform({ keys: [key.jwk] }, { now: NOW })
  const accessToken = await sign(key, {
    sub: 'f00',
    preferred_username: 'adam',
    scope: 'openid offline_access',
    realm_access: { roles: ['user'] },
    exp: NOW + 300,
  })
  const validator = jwtTestProvider({ name: 'desp', realm: 'desp', filterRealm: 'desp', cacheId: 'desp-validator' })
  return { platform, accessToken, validator }
}

async function outcome(promise: Promise<unknown>) {
  try {
    return await promise
  } catch (e) {
    return { code: errorCode(e), message: (e as Error).message }
  }
}

test('valid offline token: introspected, exchanged, the access token mapped as the jwt provider maps it', async (t) => {
  const { platform, accessToken, validator } = await setup()
  const calls = scripted([reply({ active: true, scope: 'openid offline_access' })], [reply({ access_token: accessToken })])
  const user = await refreshTokenFlow(calls, OPENID_OFFLINE_TEXTS, validator, { platform })
  t.like(user, { username: 'adam', realm: 'desp', roles: ['user'], scopes: { desp: ['openid', 'offline_access'] } })
  t.false(Object.values(user.attributes).some((value) => value.includes(OFFLINE) || value === accessToken))
  t.deepEqual(calls.script.asked, ['validate', 'exchange'])
})

const NOT_VALID: [string, unknown][] = [
  ['active false', { active: false }],
  ['active without offline_access', { active: true, scope: 'openid profile' }],
  ['active as a string', { active: 'true', scope: 'offline_access' }],
  ['no scope', { active: true }],
]
for (const [title, answer] of NOT_VALID) {
  test(`openid-offline, ${title}: "Not a valid offline_access token", no exchange`, async (t) => {
    const { platform, validator } = await setup()
    const calls = scripted([reply(answer, false)], [])
    t.deepEqual(await outcome(refreshTokenFlow(calls, OPENID_OFFLINE_TEXTS, validator, { platform })), {
      code: ErrorCode.RemoteInvalidCredential,
      message: 'Not a valid offline_access token',
    })
    t.deepEqual(calls.script.asked, ['validate'])
  })
}

test('token generator: active is all it looks at (§4.6)', async (t) => {
  const { platform, accessToken, validator } = await setup()
  const calls = scripted([reply({ active: true })], [reply({ access_token: accessToken })])
  t.like(await refreshTokenFlow(calls, TOKEN_GENERATOR_TEXTS, validator, { platform }), { username: 'adam' })
  const refused = scripted([reply({ active: false }, false)], [])
  t.deepEqual(await outcome(refreshTokenFlow(refused, TOKEN_GENERATOR_TEXTS, validator, { platform })), {
    code: ErrorCode.RemoteInvalidCredential,
    message: 'Token is not valid according to ECMWF Token Generator',
  })
})

test('a cached "not valid" is asked again past the long cache; the recheck decides', async (t) => {
  const { platform, accessToken, validator } = await setup()
  const calls = scripted([reply({ active: false }, true), reply({ active: true, scope: 'offline_access' })], [reply({ access_token: accessToken })])
  t.like(await refreshTokenFlow(calls, OPENID_OFFLINE_TEXTS, validator, { platform }), { username: 'adam' })
  t.deepEqual(calls.script.asked, ['validate', 'recheck', 'exchange'])
  const unknown = scripted([reply({ active: false }), reply({ active: false })], [])
  t.like(await outcome(refreshTokenFlow(unknown, OPENID_OFFLINE_TEXTS, validator, { platform })), { code: ErrorCode.RemoteInvalidCredential })
  t.deepEqual(unknown.script.asked, ['validate', 'recheck'], 'not known to be fresh: asked again')
})

const BAD_ANSWERS: [string, RemoteReply[], RemoteReply[], { code: string; message: string }][] = [
  ['introspection not JSON', [reply('<html>', false, 502)], [], { code: ErrorCode.RemoteMalformed, message: 'Failed to parse introspection JSON: not JSON' }],
  ['introspection an empty 500', [reply('', false, 500)], [], { code: ErrorCode.RemoteMalformed, message: 'Failed to parse introspection JSON: not JSON' }],
  ['introspection a JSON list', [reply([true], false)], [], { code: ErrorCode.RemoteMalformed, message: 'Failed to parse introspection JSON: not a JSON object' }],
  ['exchange not JSON', [reply({ active: true, scope: 'offline_access' })], [reply('', false, 401)], { code: ErrorCode.RemoteMalformed, message: 'Failed to parse access token JSON: not JSON' }],
  ['exchange without access_token', [reply({ active: true, scope: 'offline_access' })], [reply({ error: 'invalid_grant' }, false, 400)], { code: ErrorCode.TokenExchangeFailed, message: 'Failed to retrieve access token from response' }],
  ['exchange with a numeric access_token', [reply({ active: true, scope: 'offline_access' })], [reply({ access_token: 42 })], { code: ErrorCode.TokenExchangeFailed, message: 'Failed to retrieve access token from response' }],
]
for (const [title, validate, exchange, expected] of BAD_ANSWERS) {
  test(`openid-offline, ${title}: ${expected.code}`, async (t) => {
    const { platform, validator } = await setup()
    t.deepEqual(await outcome(refreshTokenFlow(scripted(validate, exchange), OPENID_OFFLINE_TEXTS, validator, { platform })), expected)
  })
}

test('an access token the jwt provider refuses (signed by another key) is refused with its code', async (t) => {
  const { platform, validator } = await setup()
  const other = await testKey('RS256', 'rs256-key')
  const expired = await sign(other, { sub: 'x', scope: '', exp: NOW - 3600 })
  const calls = scripted([reply({ active: true })], [reply({ access_token: expired })])
  t.like(await outcome(refreshTokenFlow(calls, TOKEN_GENERATOR_TEXTS, validator, { platform })), {
    code: ErrorCode.JwtSignatureInvalid,
  })
})

test('a call that fails keeps the layer\'s code, with the reference\'s prefix', async (t) => {
  const { platform, validator } = await setup()
  const down: RefreshTokenCalls = {
    validate: () => Promise.reject(Object.assign(new Error('Error sending request: 504'), { code: ErrorCode.RemoteUnavailable })),
    exchange: () => Promise.reject(new Error('not asked')),
  }
  t.deepEqual(await outcome(refreshTokenFlow(down, OPENID_OFFLINE_TEXTS, validator, { platform })), {
    code: ErrorCode.RemoteUnavailable,
    message: 'Failed to call introspection endpoint: Error sending request: 504',
  })
  const exchangeDown: RefreshTokenCalls = {
    validate: () => Promise.resolve(reply({ active: true })),
    exchange: () => Promise.reject(Object.assign(new Error('Error sending request: timeout'), { code: ErrorCode.RemoteUnavailable })),
  }
  t.deepEqual(await outcome(refreshTokenFlow(exchangeDown, TOKEN_GENERATOR_TEXTS, validator, { platform })), {
    code: ErrorCode.RemoteUnavailable,
    message: 'Failed to exchange token via generator: Error sending request: timeout',
  })
})

// --- kept results (docs/remote.md, "Kept results") ----------------------------------------------

/** A kept-result store in memory: what was kept, for how many seconds. */
function memoryKept() {
  const kept: { text?: string; seconds?: number } = {}
  return {
    kept,
    results: {
      recall: () => Promise.resolve(kept.text),
      keep: (text: string, seconds: number) => {
        kept.text = text
        kept.seconds = seconds
        return Promise.resolve()
      },
    },
  }
}

const expiring = (r: RemoteReply, expires: number | undefined): RemoteReply => ({ ...r, expires })

test('a kept result lives as long as the earliest of its answers and the access token, and is recalled without a call', async (t) => {
  const { platform, accessToken, validator } = await setup()
  const now = platform.clock.nowMilliseconds()
  const memory = memoryKept()
  const calls = {
    ...scripted(
      [expiring(reply({ active: true, scope: 'offline_access' }), now + 100_000)],
      [expiring(reply({ access_token: accessToken }), now + 7_000)],
    ),
    kept: memory.results,
  }
  const user = await refreshTokenFlow(calls, OPENID_OFFLINE_TEXTS, validator, { platform })
  t.is(memory.kept.seconds, 7, 'the exchange answer is served 7 s more: the result no longer')
  t.false(memory.kept.text!.includes(accessToken), 'the access token is not kept, the user is')
  t.false(memory.kept.text!.includes(OFFLINE))

  const again = { ...scripted([], []), kept: memory.results }
  t.deepEqual(await refreshTokenFlow(again, OPENID_OFFLINE_TEXTS, validator, { platform }), user)
  t.deepEqual(again.script.asked, [], 'recalled: no call, no JWT check')

  // Past its lifetime it is not used: the calls run again.
  ;(platform as { now: number }).now += 8
  const later = {
    ...scripted([reply({ active: false }, false)], []),
    kept: memory.results,
  }
  const refused = await outcome(refreshTokenFlow(later, OPENID_OFFLINE_TEXTS, validator, { platform }))
  t.is(errorCode(refused), ErrorCode.RemoteInvalidCredential, 'revoked meanwhile: refused')
  t.deepEqual(later.script.asked, ['validate'], 'expired: asked again')
})

test('a kept result never outlives the access token; answers of unknown age keep nothing', async (t) => {
  const { platform, accessToken, validator } = await setup()
  const now = platform.clock.nowMilliseconds()
  const memory = memoryKept()
  const valid = reply({ active: true, scope: 'offline_access' })
  const exchanged = reply({ access_token: accessToken })
  const calls = { ...scripted([expiring(valid, now + 900_000)], [expiring(exchanged, now + 900_000)]), kept: memory.results }
  await refreshTokenFlow(calls, OPENID_OFFLINE_TEXTS, validator, { platform })
  t.is(memory.kept.seconds, 300, 'the access token expires in 300 s')

  const unknown = memoryKept()
  const aged = { ...scripted([valid], [expiring(exchanged, now + 5_000)]), kept: unknown.results }
  await refreshTokenFlow(aged, OPENID_OFFLINE_TEXTS, validator, { platform })
  t.true(unknown.kept.seconds! <= 0, 'a validation answer of unknown age: nothing worth keeping')
})
