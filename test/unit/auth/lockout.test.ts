import test from 'ava'
import { addressMayBeLocked, basicUsername, CounterStore, lockoutKey, LockoutState, lockoutVerdict, recordFailure } from '../../../src/auth/lockout'
import type { LockoutSettings } from '../../../src/config/compiled'
import { compileText, configText } from '../compiler/support'
import { basic } from '../support/config'
import { testCrypto } from '../support/platform'

const SETTINGS: LockoutSettings = { maxFailures: 3, windowMs: 60_000, durationMs: 5_000, salt: 'salt' }
const sha = testCrypto.sha256Base64url

/** A store that keeps the timeouts it was given, as njs's dict does (incr's only when it creates). */
function memoryStore(): CounterStore & { timeouts: Map<string, number>; values: Map<string, number> } {
  const values = new Map<string, number>()
  const timeouts = new Map<string, number>()
  return {
    values,
    timeouts,
    get: (key) => values.get(key),
    incr(key, delta, init, timeoutMs) {
      if (!values.has(key)) {
        values.set(key, init)
        timeouts.set(key, timeoutMs)
      }
      values.set(key, values.get(key)! + delta)
      return values.get(key)!
    },
    set: (key, value, timeoutMs) => void (values.set(key, value), timeouts.set(key, timeoutMs)),
    delete: (key) => values.delete(key),
  }
}

test('the username of the Basic credential, or none', (t) => {
  t.is(basicUsername(basic('alice', 'pw')), 'alice')
  t.is(basicUsername('Bearer x, ' + basic('bob', 'pw')), 'bob')
  t.is(basicUsername('Bearer x'), undefined)
  t.is(basicUsername('Basic !!!'), undefined)
  t.is(basicUsername(undefined), undefined)
})

test('keys are salted digests: no username, no address in the clear', (t) => {
  const key = lockoutKey('salt', '10.0.0.1', 'alice', sha)
  t.regex(key, /^lock:[A-Za-z0-9_-]{43}$/)
  t.not(key, lockoutKey('other', '10.0.0.1', 'alice', sha))
  t.not(key, lockoutKey('salt', '10.0.0.2', 'alice', sha))
})

test('failures within the window lock the pair for the duration; below it the pair is pending', (t) => {
  const store = memoryStore()
  const alice = basic('alice', 'wrong')
  t.is(lockoutVerdict(store, SETTINGS, '10.0.0.1', alice, sha), undefined)
  t.false(addressMayBeLocked(store, '10.0.0.1'))
  t.false(recordFailure(store, SETTINGS, '10.0.0.1', alice, sha))
  // The address is marked for as long as its counts or locks live: the top layer's quick check.
  t.true(addressMayBeLocked(store, '10.0.0.1'))
  t.is(store.timeouts.get('addr:10.0.0.1'), 60_000)
  t.false(addressMayBeLocked(store, '10.0.0.2'))
  const key = lockoutKey('salt', '10.0.0.1', 'alice', sha)
  t.is(store.timeouts.get(key), 60_000)
  t.deepEqual(lockoutVerdict(store, SETTINGS, '10.0.0.1', basic('alice', 'right'), sha), { state: LockoutState.Pending, key })
  t.false(recordFailure(store, SETTINGS, '10.0.0.1', alice, sha))
  t.true(recordFailure(store, SETTINGS, '10.0.0.1', alice, sha))
  t.is(store.timeouts.get(key), 5_000)
  t.is(lockoutVerdict(store, SETTINGS, '10.0.0.1', basic('alice', 'right'), sha)?.state, LockoutState.Locked)
  t.is(lockoutVerdict(store, SETTINGS, '10.0.0.2', basic('alice', 'right'), sha), undefined)
  t.is(lockoutVerdict(store, SETTINGS, '10.0.0.1', basic('bob', 'right'), sha), undefined)
  t.is(lockoutVerdict(undefined, SETTINGS, '10.0.0.1', alice, sha)?.state, LockoutState.Unavailable)
})

test('auth.lockout compiles with its defaults, and bad values name the key path', (t) => {
  const on = compileText(configText({ jwt: 'jwt: {iss: me, exp: 3600, secret: 0123456789abcdef0123456789abcdef}\nauth: {lockout: {max_failures: 4}}' }))
  t.deepEqual(on.errors, [])
  const lockout = on.config!.lockout!
  t.like(lockout, { maxFailures: 4, windowMs: 600_000, durationMs: 900_000 })
  t.regex(lockout.salt, /^[A-Za-z0-9_-]{43}$/)
  t.is(compileText(configText()).config!.lockout, undefined)
  const bad = compileText(configText({ jwt: 'jwt: {iss: me, exp: 3600, secret: 0123456789abcdef0123456789abcdef}\nauth: {lockout: {max_failures: 0, window_in_ms: "x", tries: 3}}' }))
  t.true(bad.errors.some((error) => error.startsWith('auth.lockout.max_failures')), bad.errors.join('\n'))
  t.true(bad.errors.some((error) => error.startsWith('auth.lockout.window_in_ms')), bad.errors.join('\n'))
  // A misspelt key is an error, not a warning: a lockout that silently lost a setting is weaker.
  t.true(bad.errors.some((error) => error.startsWith('auth.lockout (') && error.includes('additional properties')), bad.errors.join('\n'))
})
