import test from 'ava'
import { ErrorCode } from '../../../src/errors'
import type { RemoteCall } from '../../../src/platform'
import { compileRemoteStep } from '../../../src/remote/compile'
import { callRemote, jsonBody, queryString, remoteCacheKey } from '../../../src/remote/request'
import { testPlatform } from '../support/platform'

const data = { jwt: { secret: 'unit-secret' }, auth: { timeout_in_ms: 2000 } }
const step = compileRemoteStep({ url: 'https://api.example/v1/who-am-i', method: 'GET', ttl: 60, invalidStatuses: [403], invalidTtl: 5, data })

test('queryString percent-encodes names and values (RFC 3986 unreserved kept)', (t) => {
  t.is(queryString({ token: 'a&b+c%d=e#f?g h' }), 'token=a%26b%2Bc%25d%3De%23f%3Fg%20h')
  t.is(queryString({ a: '1', 'b c': '-_.~' }), 'a=1&b%20c=-_.~')
})

test('callRemote asks <location>/<HMAC of the credential> with the query; the key never holds the credential', async (t) => {
  const platform = testPlatform()
  const seen: RemoteCall[] = []
  platform.remote = { call: (call) => (seen.push(call), Promise.resolve({ status: 200, body: '{}' })) }
  const answer = await callRemote(platform, step, { credential: 'secret-token', query: 'token=secret-token' })
  t.deepEqual(answer, { status: 200, body: '{}' })
  t.regex(seen[0].uri, /^\/_authotron\/remote\/[0-9a-f]{16}\/[\w-]{43}$/)
  t.false(seen[0].uri.includes('secret-token'))
  t.is(seen[0].uri, `${step.location}/${remoteCacheKey(platform, step, 'secret-token')}`)
  t.is(seen[0].method, 'GET')
  t.is(seen[0].query, 'token=secret-token')
  t.not(remoteCacheKey(platform, step, 'other'), remoteCacheKey(platform, step, 'secret-token'))
})

test('the cache key depends on jwt.secret: another secret, another key', (t) => {
  const platform = testPlatform()
  const other = compileRemoteStep({ ...step, invalidStatuses: [403], data: { ...data, jwt: { secret: 'other' } } })
  t.is(other.location, step.location, 'the location depends on the settings only')
  t.not(remoteCacheKey(platform, other, 't'), remoteCacheKey(platform, step, 't'))
})

test('no remote caller: ERR_RUNTIME_UNSUPPORTED; an old compiled step: ERR_CONFIG_FORMAT', async (t) => {
  const platform = testPlatform()
  await t.throwsAsync(callRemote(platform, step, { credential: 'x' }), { code: ErrorCode.RuntimeUnsupported })
  platform.remote = { call: () => Promise.resolve({ status: 200, body: '' }) }
  await t.throwsAsync(callRemote(platform, undefined as never, { credential: 'x' }), { code: ErrorCode.ConfigFormat })
})

test('jsonBody: JSON parsed; anything else ERR_REMOTE_MALFORMED, without the body in the message', (t) => {
  t.deepEqual(jsonBody({ status: 200, body: '{"a":1}' }), { a: 1 })
  const error = t.throws(() => jsonBody({ status: 200, body: '{"token":"leak' }), { code: ErrorCode.RemoteMalformed })
  t.false(error!.message.includes('leak'))
})
