import test from 'ava'
import { authenticate } from '../../../src/auth/pipeline'
import { BUCKET_BOUNDS_MS, durationBucket, recordAuthentication, recordGrantCacheHit } from '../../../src/auth/metrics'
import { escapeLabel, renderMetrics } from '../../../src/auth/metrics-text'
import { codedError, ErrorCode } from '../../../src/errors'
import { providerModules } from '../../../src/providers/index'
import type { CompiledProvider } from '../../../src/config/compiled'
import { newUser, User } from '../../../src/user'
import type { MetricsSink } from '../../../src/platform'
import { basic, plainProvider, testConfig } from '../support/config'
import { testPlatform } from '../support/platform'

function memorySink(): MetricsSink & { entries: Map<string, number> } {
  const entries = new Map<string, number>()
  return { entries, incr: (key, delta) => void entries.set(key, (entries.get(key) ?? 0) + delta) }
}

test('durations fall into the reference buckets, bounds inclusive', (t) => {
  const cases: [number, number][] = [[0, 0], [1, 0], [2, 1], [5, 1], [6, 2], [1000, 8], [1001, 9], [10000, 11], [10001, 12]]
  for (const [ms, bucket] of cases) t.is(durationBucket(ms), bucket, `${ms} ms`)
})

test('a grant-cache hit is one incr: a success in the first bucket, nothing added to the sum', (t) => {
  const sink = memorySink()
  recordGrantCacheHit(sink, 'r')
  recordGrantCacheHit(sink, 'r')
  // What recordAuthentication writes for a success of 0 ms: the bucket of every duration up to the first bound.
  const zero = memorySink()
  recordAuthentication(zero, 'success', 'r', 0)
  t.deepEqual([...sink.entries], [[[...zero.entries.keys()][0], 2]])
  t.is(durationBucket(BUCKET_BOUNDS_MS[0]), 0)
})

test('a zero-duration success is one incr; a slower one adds to the sum', (t) => {
  const sink = memorySink()
  recordAuthentication(sink, 'success', 'r', 0)
  t.deepEqual([...sink.entries.keys()], ['auth\n0\nsuccess\nr'])
  recordAuthentication(sink, 'success', 'r', 30)
  t.deepEqual([...sink.entries], [['auth\n0\nsuccess\nr', 1], ['auth\n4\nsuccess\nr', 1], ['auth\ns\nsuccess\nr', 0.03]])
})

test('label values are escaped as the exposition format says', (t) => {
  t.is(escapeLabel('a"b\\c\nd'), 'a\\"b\\\\c\\nd')
})

test('the exposition: cumulative buckets, counter = count, unknown entries skipped', (t) => {
  const config = testConfig([plainProvider('local', 'r', [{ username: 'u', password: 'p' }])])
  const text = renderMetrics(
    config,
    [['auth\n0\nsuccess\nr', 2], ['auth\n3\nsuccess\nr', 1], ['auth\ns\nsuccess\nr', 0.02], ['auth\n12\nall_failed\nunknown', 1], ['junk', 5]],
    '9.9.9',
  )
  t.true(text.includes('auth_requests_total{realm="r",result="success"} 3\n'))
  t.true(text.includes('auth_duration_seconds_bucket{realm="r",result="success",le="0.005"} 2\n'))
  t.true(text.includes('auth_duration_seconds_bucket{realm="r",result="success",le="0.025"} 3\n'))
  t.true(text.includes('auth_duration_seconds_sum{realm="r",result="success"} 0.02\n'))
  // Beyond the last bound: only +Inf.
  t.true(text.includes('auth_duration_seconds_bucket{realm="unknown",result="all_failed",le="10"} 0\n'))
  t.true(text.includes('auth_duration_seconds_bucket{realm="unknown",result="all_failed",le="+Inf"} 1\n'))
  t.true(text.includes('authotron_build_info{version="9.9.9"} 1\n'))
  t.false(text.includes('junk'))
})

function slowProvider(name: string): CompiledProvider {
  return { type: 'test-metrics-slow', name, realm: 'r', filterRealm: 'r', scheme: 'Bearer' }
}
providerModules['test-metrics-slow'] = () => ({
  authenticate() {
    return new Promise<User>((resolve) => setTimeout(() => resolve(newUser('late', 'r', [])), 120))
  },
})
providerModules['test-metrics-failing'] = () => ({
  authenticate() {
    return Promise.reject(codedError(ErrorCode.BadCredentials, 'no'))
  },
})

test('provider runs: a timeout is recorded once, never again when the provider answers late', async (t) => {
  const config = testConfig([slowProvider('slow'), { ...slowProvider('bad'), type: 'test-metrics-failing' } as CompiledProvider])
  config.timeoutMs = 30
  const platform = testPlatform()
  const sink = memorySink()
  platform.metrics = sink
  await t.throwsAsync(() => Promise.resolve(authenticate({ authorization: 'Bearer x', realm: undefined }, config, platform)))
  await new Promise((resolve) => setTimeout(resolve, 150))
  const keys = [...sink.entries.keys()]
  t.deepEqual(keys.filter((key) => key.includes('slow')), ['prov\nt\ntimeout\nslow\nBearer\nr'])
  t.deepEqual(keys.filter((key) => key.includes('bad')), ['prov\n0\nerror\nbad\nBearer\nr'])
})

test('synchronous providers and augmenters are recorded with their realm', (t) => {
  const config = testConfig(
    [plainProvider('local', 'r', [{ username: 'u', password: 'p' }])],
    [{ type: 'plain', name: 'roles', realm: 'r', roles: { '=admin': ['u'] } } as any],
  )
  const platform = testPlatform()
  const sink = memorySink()
  platform.metrics = sink
  authenticate({ authorization: basic('u', 'p'), realm: undefined }, config, platform)
  t.deepEqual([...sink.entries.keys()].sort(), ['aug\n0\nsuccess\nroles\nplain\nr', 'prov\n0\nsuccess\nlocal\nBasic\nr'])
})
