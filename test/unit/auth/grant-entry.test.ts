import test from 'ava'
import {
  encodeGrantEntry,
  GrantField,
  grantCacheLifetime,
  grantEntryText,
  grantFromEntry,
  grantHeadersFromEntry,
  SEND_LEGACY,
} from '../../../src/auth/grant-entry'
import { newUser } from '../../../src/user'

const NOW = 1_800_000_000

function grantOf(username: string, realm: string, roles: string[]) {
  const user = newUser(username, realm, roles)
  user.attributes = { note: 'line one\nline two' }
  return { user, token: 'eyJ.header.sig', expiresAt: NOW + 3600 }
}

test('the header fields are the values the full path sends: token, then the legacy values, control characters stripped', (t) => {
  const text = encodeGrantEntry(grantOf('ali\r\nce', 'realm\x7f', ['a', 'b\nc']), NOW + 30, true)
  const fields = grantHeadersFromEntry(text)
  t.truthy(fields)
  t.is(fields![GrantField.Token], 'eyJ.header.sig')
  t.is(fields![GrantField.Username], 'alice')
  t.is(fields![GrantField.Realm], 'realm')
  t.is(fields![GrantField.Roles], 'a,bc')
  t.is(fields![GrantField.Legacy], SEND_LEGACY)
})

test('the entry says whether the legacy headers are sent', (t) => {
  const off = grantHeadersFromEntry(encodeGrantEntry(grantOf('alice', 'r', ['x']), NOW + 30, false))
  t.not(off![GrantField.Legacy], SEND_LEGACY)
  t.is(off![GrantField.Token], 'eyJ.header.sig')
  // Not sent, so not computed: a hit never reads them.
  t.deepEqual([off![GrantField.Username], off![GrantField.Realm], off![GrantField.Roles]], ['', '', ''])
})

test('the whole grant comes back, user JSON with line breaks included', (t) => {
  const grant = grantOf('alice', 'r', ['x'])
  t.deepEqual(grantFromEntry(encodeGrantEntry(grant, NOW + 30, true), NOW), grant)
  const odd = grantOf('a\nb', 'r', [])
  t.deepEqual(grantFromEntry(encodeGrantEntry(odd, NOW + 30, false), NOW)!.user, odd.user)
})

test('the full path serves an entry until, not at, its cachedUntil second', (t) => {
  const text = encodeGrantEntry(grantOf('alice', 'r', []), NOW + 30, true)
  t.truthy(grantFromEntry(text, NOW + 29))
  t.is(grantFromEntry(text, NOW + 30), undefined)
})

test('the dict keeps an entry for the TTL, never past exp; the full path’s cachedUntil is never later', (t) => {
  const nowMs = NOW * 1000 + 400
  t.deepEqual(grantCacheLifetime(nowMs, 30_000, NOW + 3600), { cachedUntil: NOW + 30, storeForMs: 30_000 })
  t.deepEqual(grantCacheLifetime(nowMs, 30_800, NOW + 3600), { cachedUntil: NOW + 31, storeForMs: 30_800 })
  // Capped by exp: gone from the dict at exp exactly.
  t.deepEqual(grantCacheLifetime(nowMs, 30_000, NOW + 10), { cachedUntil: NOW + 10, storeForMs: 9_600 })
  t.deepEqual(grantCacheLifetime(nowMs, 30_000, NOW + 1), { cachedUntil: NOW + 1, storeForMs: 600 })
  t.is(grantCacheLifetime(nowMs, 30_000, NOW), undefined)
  t.is(grantCacheLifetime(nowMs, 0, NOW + 3600), undefined)
})

test('grantEntryText and encodeGrantEntry write the same entry', (t) => {
  const grant = grantOf('alice', 'r', ['x', 'y'])
  t.is(
    grantEntryText(grant.token, ['alice', 'r', 'x,y'], true, NOW + 30, grant.expiresAt, JSON.stringify(grant.user)),
    encodeGrantEntry(grant, NOW + 30, true),
  )
})

test('anything that is not an entry is a miss, never an answer', (t) => {
  for (const text of ['', '{not json', `\nu\nr\nroles\n1\n${NOW + 30}\n1\n{}`, `tok\nu\nr`]) {
    t.is(grantHeadersFromEntry(text), undefined, JSON.stringify(text))
    t.is(grantFromEntry(text, NOW), undefined, JSON.stringify(text))
  }
  t.is(grantFromEntry(`tok\nu\nr\nroles\n1\nx\n1\n{}`, NOW), undefined)
  t.is(grantFromEntry(`tok\nu\nr\nroles\n1\n${NOW + 30}\n1\nnot json`, NOW), undefined)
  t.is(grantFromEntry(`tok\nu\nr\nroles\n1\n${NOW + 30}\n1\nnull`, NOW), undefined)
})
