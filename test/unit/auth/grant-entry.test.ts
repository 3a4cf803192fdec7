import test from 'ava'
import {
  GrantField,
  grantEntryText,
  grantFromEntry,
  grantHeadersFromEntry,
  NO_LEGACY,
  SEND_LEGACY,
  storeGrant,
  wholeSeconds,
} from '../../../src/auth/grant-entry'
import { legacyHeaderValues } from '../../../src/auth/answers'
import { newUser } from '../../../src/user'

const NOW = 1_800_000_000

function grantOf(username: string, realm: string, roles: string[]) {
  const user = newUser(username, realm, roles)
  user.attributes = { note: 'line one\nline two' }
  return { user, token: 'eyJ.header.sig', expiresAt: NOW + 3600 }
}

/** What storeGrant hands the dict, one call each. */
function recordingStore() {
  const calls: { key: string; entry: string; ttlMs: number }[] = []
  return { calls, set: (key: string, entry: string, ttlMs: number) => void calls.push({ key, entry, ttlMs }) }
}

/** The entry storeGrant writes for `grant` at NOW + 0.4 s with a 30 s TTL. */
function stored(grant: ReturnType<typeof grantOf>, sendLegacy: boolean): string {
  const store = recordingStore()
  const legacy = sendLegacy ? legacyHeaderValues(grant.user) : NO_LEGACY
  expectNoFailure(storeGrant(store, 'k', grant.token, legacy, sendLegacy, grant.expiresAt, JSON.stringify(grant.user), NOW * 1000 + 400, 30_000))
  return store.calls[0].entry
}

function expectNoFailure(value: unknown) {
  if (value !== undefined) throw new Error(`expected no failure, got ${String(value)}`)
}

test('the header fields are the values the full path sends: token, then the legacy values, control characters stripped', (t) => {
  const fields = grantHeadersFromEntry(stored(grantOf('ali\r\nce', 'realm\x7f', ['a', 'b\nc']), true))
  t.truthy(fields)
  t.is(fields![GrantField.Token], 'eyJ.header.sig')
  t.is(fields![GrantField.Username], 'alice')
  t.is(fields![GrantField.Realm], 'realm')
  t.is(fields![GrantField.Roles], 'a,bc')
  t.is(fields![GrantField.Legacy], SEND_LEGACY)
})

test('the entry says whether the legacy headers are sent', (t) => {
  const off = grantHeadersFromEntry(stored(grantOf('alice', 'r', ['x']), false))
  t.not(off![GrantField.Legacy], SEND_LEGACY)
  t.is(off![GrantField.Token], 'eyJ.header.sig')
  // Not sent, so not computed: a hit never reads them.
  t.deepEqual([off![GrantField.Username], off![GrantField.Realm], off![GrantField.Roles]], ['', '', ''])
})

test('the whole grant comes back, user JSON with line breaks and legacy values included', (t) => {
  const grant = grantOf('alice', 'r', ['x'])
  t.deepEqual(grantFromEntry(stored(grant, true), NOW), { ...grant, legacy: ['alice', 'r', 'x'] })
  const odd = grantOf('a\nb', 'r', [])
  const back = grantFromEntry(stored(odd, false), NOW)!
  t.deepEqual(back.user, odd.user)
  t.is(back.legacy, undefined)
})

test('the full path serves an entry until, not at, its cachedUntil second', (t) => {
  const text = grantEntryText('tok', NO_LEGACY, false, NOW + 30, NOW + 3600, JSON.stringify(newUser('alice', 'r', [])))
  t.truthy(grantFromEntry(text, NOW + 29))
  t.is(grantFromEntry(text, NOW + 30), undefined)
})

test('the dict keeps an entry for the TTL, never past exp; the full path’s cachedUntil is never later', (t) => {
  const nowMs = NOW * 1000 + 400
  const lifetime = (ttlMs: number, expiresAt: number) => {
    const store = recordingStore()
    t.is(storeGrant(store, 'key', 'tok', NO_LEGACY, false, expiresAt, '{}', nowMs, ttlMs), undefined)
    if (store.calls.length === 0) return undefined
    t.is(store.calls[0].key, 'key')
    return { cachedUntil: Number(store.calls[0].entry.split('\n')[5]), storeForMs: store.calls[0].ttlMs }
  }
  t.deepEqual(lifetime(30_000, NOW + 3600), { cachedUntil: NOW + 30, storeForMs: 30_000 })
  t.deepEqual(lifetime(30_800, NOW + 3600), { cachedUntil: NOW + 31, storeForMs: 30_800 })
  // Capped by exp: gone from the dict at exp exactly.
  t.deepEqual(lifetime(30_000, NOW + 10), { cachedUntil: NOW + 10, storeForMs: 9_600 })
  t.deepEqual(lifetime(30_000, NOW + 1), { cachedUntil: NOW + 1, storeForMs: 600 })
  t.is(lifetime(30_000, NOW), undefined)
  t.is(lifetime(0, NOW + 3600), undefined)
})

test('a dict that refuses the entry: storeGrant says why, and throws nothing', (t) => {
  const full = { set: () => { throw new Error('SharedDict.set: no memory') } }
  t.is(storeGrant(full, 'k', 'tok', NO_LEGACY, false, NOW + 3600, '{}', NOW * 1000, 30_000), 'SharedDict.set: no memory')
})

test('wholeSeconds rounds down as Math.floor does', (t) => {
  for (const ms of [0, 999, 1000, 1_800_000_000_400, 1_800_000_000_999.5]) t.is(wholeSeconds(ms), Math.floor(ms / 1000))
})

test('anything that is not an entry is a miss, never an answer', (t) => {
  t.is(grantHeadersFromEntry(undefined), undefined)
  for (const text of ['', '{not json', `\nu\nr\nroles\n1\n${NOW + 30}\n1\n{}`, `tok\nu\nr`]) {
    t.is(grantHeadersFromEntry(text), undefined, JSON.stringify(text))
    t.is(grantFromEntry(text, NOW), undefined, JSON.stringify(text))
  }
  t.is(grantFromEntry(`tok\nu\nr\nroles\n1\nx\n1\n{}`, NOW), undefined)
  t.is(grantFromEntry(`tok\nu\nr\nroles\n1\n${NOW + 30}\n1\nnot json`, NOW), undefined)
  t.is(grantFromEntry(`tok\nu\nr\nroles\n1\n${NOW + 30}\n1\nnull`, NOW), undefined)
})
