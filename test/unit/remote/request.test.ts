import test from 'ava'
import { ErrorCode } from '../../../src/errors'
import type { RemoteCall } from '../../../src/platform'
import { compileRemoteStep } from '../../../src/remote/compile'
import { callRemote, jsonBody, queryString, remoteCacheKey } from '../../../src/remote/request'
import { testPlatform } from '../support/platform'
import { fakeRelay } from '../../support/fake-relay'
import { openAnswer, sealAnswer, withoutUnreadTokens } from '../../../src/remote/relay'

const data = { jwt: { secret: 'unit-secret' }, auth: { timeout_in_ms: 2000 } }
const step = compileRemoteStep({ url: 'https://api.example/v1/who-am-i', method: 'GET', ttl: 60, invalidStatuses: [403], invalidTtl: 5, data })

test('queryString percent-encodes names and values (RFC 3986 unreserved kept)', (t) => {
  t.is(queryString({ token: 'a&b+c%d=e#f?g h' }), 'token=a%26b%2Bc%25d%3De%23f%3Fg%20h')
  t.is(queryString({ a: '1', 'b c': '-_.~' }), 'a=1&b%20c=-_.~')
})

test('callRemote asks <location>/<HMAC of the credential> with the envelope as body; no URI holds the credential', async (t) => {
  const platform = testPlatform()
  const seen: RemoteCall[] = []
  const asked: { query: string; body: string }[] = []
  platform.remote = fakeRelay(platform, [step], (call) => (asked.push(call), { status: 200, body: '{}' }), seen)
  const answer = await callRemote(platform, step, { credential: 'secret-token', query: 'token=secret-token' })
  t.deepEqual(answer, { status: 200, body: '{}' })
  t.regex(seen[0].uri, /^\/_authotron\/remote\/[0-9a-f]{16}\/[\w-]{43}$/)
  t.false(seen[0].uri.includes('secret-token'))
  t.is(seen[0].uri, `${step.location}/${remoteCacheKey(platform, step, 'secret-token')}`)
  t.is(seen[0].method, 'POST')
  t.is(seen[0].query, undefined)
  t.is(seen[0].body, 'token=secret-token\n')
  t.deepEqual(asked.map(({ query, body }) => ({ query, body })), [{ query: 'token=secret-token', body: '' }])
  t.not(remoteCacheKey(platform, step, 'other'), remoteCacheKey(platform, step, 'secret-token'))
})

test('the sealed answer holds no credential and opens only for its envelope', async (t) => {
  const platform = testPlatform()
  const aead = platform.crypto.aead!
  const hmac = platform.crypto.hmacSha256Base64url
  const plain = '{"access_token":"eyJ-secret-access","refresh_token":"secret-refresh"}'
  const sealed = await sealAnswer(aead, hmac, 'seal-secret', 'q\nbody', plain)
  t.false(sealed.includes('secret'))
  t.not(await sealAnswer(aead, hmac, 'seal-secret', 'q\nbody', plain), sealed, 'a fresh IV per answer')
  t.is(await openAnswer(aead, hmac, 'seal-secret', 'q\nbody', sealed), plain)
  await t.throwsAsync(openAnswer(aead, hmac, 'seal-secret', 'q\nother', sealed), { any: true })
  await t.throwsAsync(openAnswer(aead, hmac, 'other-secret', 'q\nbody', sealed), { any: true })
  const altered = sealed.slice(0, -2) + (sealed.endsWith('A') ? 'BA' : 'AA')
  await t.throwsAsync(openAnswer(aead, hmac, 'seal-secret', 'q\nbody', altered), { any: true })
})

test('no answer of the service: ERR_REMOTE_UNAVAILABLE / ERR_REMOTE_TOO_LARGE, one warn line without the credential', async (t) => {
  for (const [failure, code, reason] of [
    ['timeout', ErrorCode.RemoteUnavailable, /did not answer in time/],
    ['unreachable', ErrorCode.RemoteUnavailable, /could not be reached .*TLS failure/],
    ['unresolved', ErrorCode.RemoteUnavailable, /host name did not resolve/],
    ['too-large', ErrorCode.RemoteTooLarge, /larger than/],
  ] as const) {
    const platform = testPlatform()
    platform.remote = fakeRelay(platform, [step], () => ({ failure }))
    await t.throwsAsync(callRemote(platform, step, { credential: 'tok-123', query: 'token=tok-123', provider: 'P' }), { code })
    const lines = platform.logs.filter((entry) => entry.event === 'remote.call.failed')
    t.is(lines.length, 1)
    t.like(lines[0], { level: 'warn', fields: { provider: 'P', url: step.url } })
    t.regex(String(lines[0].fields?.reason), reason)
    t.false(JSON.stringify(platform.logs).includes('tok-123'))
  }
})

test('an answer that is not the relay\'s: 404 passed on without a body; 502 (relay closed) unavailable', async (t) => {
  const platform = testPlatform()
  platform.remote = { call: () => Promise.resolve({ status: 404, body: '<html>' }) }
  t.deepEqual(await callRemote(platform, step, { credential: 'x' }), { status: 404, body: '' })
  platform.remote = { call: () => Promise.resolve({ status: 502, body: '<html>' }) }
  await t.throwsAsync(callRemote(platform, step, { credential: 'x' }), { code: ErrorCode.RemoteUnavailable })
  platform.remote = { call: () => Promise.resolve({ status: 200, body: 'aot1.AAAA.BBBB' }) }
  await t.throwsAsync(callRemote(platform, step, { credential: 'x' }), { code: ErrorCode.RemoteUnavailable })
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

test('the relay keeps no refresh or ID token of a grant answer; other answers as they came', (t) => {
  const grant = JSON.stringify({ access_token: 'a.b.c', refresh_token: 'r', id_token: 'i', expires_in: 300 })
  t.deepEqual(JSON.parse(withoutUnreadTokens(grant)), { access_token: 'a.b.c', expires_in: 300 })
  for (const body of ['{"uid":"adam","refresh_token":"r"}', 'not json "access_token"', '["access_token"]', '{"access_token":1,"id_token":"i"}']) {
    t.is(withoutUnreadTokens(body), body)
  }
})
