import test from 'ava'
import {
  cachedJwksSource,
  EXPIRY_MARGIN_MS,
  JWKS_ENTRY_PREFIX,
  JWKS_LOCK_PREFIX,
  jwksEpochLocation,
  jwksEpochSeconds,
  PREFETCH_SHARE,
  type JwksDict,
  type JwksFetch,
} from '../../../src/jwt/jwks-cache'
import { errorCode, ErrorCode } from '../../../src/errors'
import type { JwksEndpoint } from '../../../src/platform'

const ENDPOINT: JwksEndpoint = {
  url: 'https://idp.example/certs',
  location: '/_authotron/jwks/a',
  refreshLocation: '/_authotron/jwks/a/refresh',
  ttl: 60,
}
const SET_1 = { keys: [{ kty: 'RSA', kid: 'one', n: 'AQAB', e: 'AQAB' }] }
const SET_2 = { keys: [{ kty: 'RSA', kid: 'two', n: 'AQAB', e: 'AQAB' }] }

/** A dict with expiry on a fake clock, like ngx.shared with `timeout`. */
function fakeDict(clock: { now: number }): JwksDict & { data: Map<string, { value: string; until: number }> } {
  const data = new Map<string, { value: string; until: number }>()
  const live = (key: string) => {
    const entry = data.get(key)
    if (entry !== undefined && entry.until <= clock.now) data.delete(key)
    return data.get(key)
  }
  return {
    data,
    get: (key) => live(key)?.value,
    set: (key, value, ttlMs) => {
      data.set(key, { value, until: clock.now + ttlMs })
    },
    add: (key, value, ttlMs) => {
      if (live(key) !== undefined) return false
      data.set(key, { value, until: clock.now + ttlMs })
      return true
    },
    delete: (key) => {
      data.delete(key)
    },
  }
}

/** A fetch whose answers the test releases by hand, counting the calls per kind. */
function controlledFetch(initial: unknown) {
  const state = {
    document: initial as unknown,
    calls: [] as boolean[],
    pending: [] as (() => void)[],
    hold: false,
  }
  const fetch: JwksFetch = (_endpoint, refresh) => {
    state.calls.push(refresh)
    const answer = () => (state.document === undefined ? Promise.reject(new Error('503')) : Promise.resolve(JSON.stringify(state.document)))
    if (!state.hold) return answer()
    return new Promise((resolve, reject) => state.pending.push(() => answer().then(resolve, reject)))
  }
  return { state, fetch, release: () => state.pending.splice(0).forEach((go) => go()) }
}


test('no dict (njs 0.7.9): every question is a fetch', async (t) => {
  const { state, fetch } = controlledFetch(SET_1)
  const source = cachedJwksSource(undefined, fetch, () => 0)
  t.deepEqual(await source.get(ENDPOINT, false), SET_1)
  t.deepEqual(await source.get(ENDPOINT, false), SET_1)
  t.deepEqual(state.calls, [false, false])
})

/** The epoch location as njs 0.7.9 asks it: the answers in turn, the calls counted. */
function epochFetch(...answers: (string | undefined | Error)[]) {
  const calls: string[] = []
  return {
    calls,
    fetch: (endpoint: JwksEndpoint, epoch: number) => {
      calls.push(`${jwksEpochLocation(endpoint.location)}?e=${epoch}`)
      const answer = answers.shift() ?? new Error('no answer left')
      return answer instanceof Error ? Promise.reject(answer) : Promise.resolve(answer)
    },
  }
}

test('no dict, epoch location (njs 0.7.9): the epoch copy alone, however it was fetched', async (t) => {
  const { state, fetch } = controlledFetch(SET_2)
  const epoch = epochFetch(JSON.stringify(SET_1), JSON.stringify(SET_1))
  // ENDPOINT.ttl 60: epochs of a minute; 10 s into epoch 2.
  const source = cachedJwksSource(undefined, fetch, () => 130_000, epoch.fetch)
  t.deepEqual(await source.get(ENDPOINT, false), SET_1)
  t.deepEqual(await source.get(ENDPOINT, false), SET_1)
  t.deepEqual(epoch.calls, ['/_authotron/jwks/a/epoch?e=2', '/_authotron/jwks/a/epoch?e=2'])
  // The epoch location's fetch (through the latest location) renewed the cached location's copy.
  t.deepEqual(state.calls, [], 'the cached location is not asked')
})

test('no dict, epoch location failing, not a JWK Set, or missing (old snippets): the cached location answers', async (t) => {
  const { state, fetch } = controlledFetch(SET_1)
  const epoch = epochFetch(undefined, '{"error":1}', 'not json', new Error('subrequest'))
  const source = cachedJwksSource(undefined, fetch, () => 0, epoch.fetch)
  for (let i = 0; i < 4; i++) t.deepEqual(await source.get(ENDPOINT, false), SET_1)
  t.deepEqual(state.calls, [false, false, false, false])
  state.document = undefined
  const down = cachedJwksSource(undefined, fetch, () => 0, epochFetch(undefined).fetch)
  // Both down: the cached location's failure is the answer (src/njs/jwks.ts codes it ERR_JWKS_UNAVAILABLE).
  t.is((await t.throwsAsync(down.get(ENDPOINT, false)))?.message, '503')
})

test('no dict, epoch location: in the last quarter of an epoch (at most a minute) a share of requests fetch the next epoch ahead', async (t) => {
  const { state, fetch } = controlledFetch(SET_1)
  const hit = JSON.stringify(SET_1)
  const ask = async (nowMs: number, random: number, ...answers: (string | undefined)[]) => {
    const epoch = epochFetch(...answers)
    await cachedJwksSource(undefined, fetch, () => nowMs, epoch.fetch, () => random).get(ENDPOINT, false)
    return epoch.calls
  }
  // Epochs of 60 s: the last 15 s of epoch 2 are 165–180 s.
  t.deepEqual(await ask(164_999, 0, hit), ['/_authotron/jwks/a/epoch?e=2'])
  t.deepEqual(await ask(165_000, PREFETCH_SHARE, hit), ['/_authotron/jwks/a/epoch?e=2'], 'not chosen')
  t.deepEqual(await ask(165_000, 0, hit, hit), ['/_authotron/jwks/a/epoch?e=2', '/_authotron/jwks/a/epoch?e=3'])
  // Whatever the next epoch answers, the request goes on with this epoch's set; nothing else is asked.
  t.deepEqual(await ask(179_999, 0, hit, JSON.stringify(SET_2)), ['/_authotron/jwks/a/epoch?e=2', '/_authotron/jwks/a/epoch?e=3'])
  t.deepEqual(await ask(179_999, 0, hit, undefined), ['/_authotron/jwks/a/epoch?e=2', '/_authotron/jwks/a/epoch?e=3'])
  t.deepEqual(state.calls, [])
  // An hour's epoch: the window is the last minute.
  const hour = { ...ENDPOINT, ttl: 7200 }
  const calls = async (nowMs: number) => {
    const epoch = epochFetch(hit, hit)
    await cachedJwksSource(undefined, fetch, () => nowMs, epoch.fetch, () => 0).get(hour, false)
    return epoch.calls.length
  }
  t.is(await calls(3_600_000 * 2 - 60_001), 1)
  t.is(await calls(3_600_000 * 2 - 60_000), 2)
})

test('epoch lengths: the longest of 1 h, 10 min, 1 min, 10 s, 1 s not longer than jwks_ttl', (t) => {
  t.deepEqual(
    [1, 9, 10, 59, 60, 120, 599, 600, 3599, 3600, 86400].map(jwksEpochSeconds),
    [1, 1, 10, 10, 60, 60, 60, 600, 600, 3600, 3600],
  )
})

test('no dict, epoch location: an unknown kid still asks the refresh location', async (t) => {
  const { state, fetch } = controlledFetch(SET_2)
  const epoch = epochFetch()
  const source = cachedJwksSource(undefined, fetch, () => 0, epoch.fetch)
  t.deepEqual(await source.get(ENDPOINT, true), SET_2)
  t.deepEqual(state.calls, [true])
  t.deepEqual(epoch.calls, [])
})

test('a fresh set is served from the dict without a fetch', async (t) => {
  const clock = { now: 1000 }
  const { state, fetch } = controlledFetch(SET_1)
  const source = cachedJwksSource(fakeDict(clock), fetch, () => clock.now)
  t.deepEqual(await source.get(ENDPOINT, false), SET_1)
  clock.now += 59_000
  t.deepEqual(await source.get(ENDPOINT, false), SET_1)
  t.deepEqual(state.calls, [false])
})

test('expired: one request refreshes, the others get the old set at once, then the new one', async (t) => {
  const clock = { now: 1000 }
  const dict = fakeDict(clock)
  const { state, fetch, release } = controlledFetch(SET_1)
  const source = cachedJwksSource(dict, fetch, () => clock.now)
  await source.get(ENDPOINT, false)
  clock.now += 60_000 + EXPIRY_MARGIN_MS + 1
  state.document = SET_2
  state.hold = true
  const refresher = source.get(ENDPOINT, false)
  const others = await Promise.all(Array.from({ length: 20 }, () => source.get(ENDPOINT, false)))
  for (const set of others) t.deepEqual(set, SET_1)
  t.deepEqual(state.calls, [false, false], 'one refresh for 21 requests')
  t.true(dict.get(JWKS_LOCK_PREFIX + ENDPOINT.location) !== undefined)
  release()
  t.deepEqual(await refresher, SET_2)
  t.is(dict.get(JWKS_LOCK_PREFIX + ENDPOINT.location), undefined, 'the lock is released')
  t.deepEqual(await source.get(ENDPOINT, false), SET_2)
  t.is(state.calls.length, 2)
})

test('a failed refresh keeps the expired set in use, and the next request tries again', async (t) => {
  const clock = { now: 1000 }
  const { state, fetch } = controlledFetch(SET_1)
  const source = cachedJwksSource(fakeDict(clock), fetch, () => clock.now)
  await source.get(ENDPOINT, false)
  clock.now += 120_000
  state.document = undefined
  t.deepEqual(await source.get(ENDPOINT, false), SET_1)
  t.deepEqual(await source.get(ENDPOINT, false), SET_1)
  t.is(state.calls.length, 3)
})

test('a refresh answering something else than a JWK Set does not replace the set', async (t) => {
  const clock = { now: 1000 }
  const { state, fetch } = controlledFetch(SET_1)
  const source = cachedJwksSource(fakeDict(clock), fetch, () => clock.now)
  await source.get(ENDPOINT, false)
  clock.now += 120_000
  state.document = { error: 'maintenance' }
  t.deepEqual(await source.get(ENDPOINT, false), SET_1)
  state.document = SET_2
  t.deepEqual(await source.get(ENDPOINT, false), SET_1, 'kept fresh for another ttl: no fetch')
  t.is(state.calls.length, 2)
})

test('an unknown kid asks the refresh location and keeps its answer for the next requests', async (t) => {
  const clock = { now: 1000 }
  const { state, fetch } = controlledFetch(SET_1)
  const source = cachedJwksSource(fakeDict(clock), fetch, () => clock.now)
  await source.get(ENDPOINT, false)
  state.document = SET_2
  t.deepEqual(await source.get(ENDPOINT, true), SET_2)
  t.deepEqual(await source.get(ENDPOINT, false), SET_2)
  t.deepEqual(state.calls, [false, true])
})

test('nothing known and the endpoint down: ERR_JWKS_UNAVAILABLE as before; bad JSON: ERR_JWKS_INVALID', async (t) => {
  const clock = { now: 1000 }
  const failing: JwksFetch = () => Promise.reject(Object.assign(new Error('down'), { code: ErrorCode.JwksUnavailable }))
  const source = cachedJwksSource(fakeDict(clock), failing, () => clock.now)
  await t.throwsAsync(() => source.get(ENDPOINT, false) as Promise<unknown>, { message: 'down' })
  const garbage = cachedJwksSource(fakeDict(clock), () => Promise.resolve('{not json'), () => clock.now)
  const error = await t.throwsAsync(() => garbage.get(ENDPOINT, false) as Promise<unknown>)
  t.is(errorCode(error), ErrorCode.JwksInvalid)
})

test('the entry outlives its freshness (stale use) and is keyed by location', async (t) => {
  const clock = { now: 1000 }
  const dict = fakeDict(clock)
  const { fetch } = controlledFetch(SET_1)
  await cachedJwksSource(dict, fetch, () => clock.now).get(ENDPOINT, false)
  const entry = dict.data.get(JWKS_ENTRY_PREFIX + ENDPOINT.location)!
  t.true(entry.until - clock.now > 3600_000)
  t.is(Number(entry.value.split(' ')[0]), 1000 + 60_000 + EXPIRY_MARGIN_MS)
})
