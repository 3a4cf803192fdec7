import test from 'ava'
import { encodeGrantEntry, GrantField, grantFromEntry, grantHeadersFromEntry } from '../../../src/auth/grant-entry'
import { newUser } from '../../../src/user'

const NOW = 1_800_000_000

function grantOf(username: string, realm: string, roles: string[]) {
  const user = newUser(username, realm, roles)
  user.attributes = { note: 'line one\nline two' }
  return { user, token: 'eyJ.header.sig', expiresAt: NOW + 3600 }
}

test('the header fields are the values the full path sends: token, then the legacy values, control characters stripped', (t) => {
  const text = encodeGrantEntry(grantOf('ali\r\nce', 'realm\x7f', ['a', 'b\nc']), NOW + 30)
  const fields = grantHeadersFromEntry(text, NOW)
  t.truthy(fields)
  t.is(fields![GrantField.Token], 'eyJ.header.sig')
  t.is(fields![GrantField.Username], 'alice')
  t.is(fields![GrantField.Realm], 'realm')
  t.is(fields![GrantField.Roles], 'a,bc')
})

test('the whole grant comes back, user JSON with line breaks included', (t) => {
  const grant = grantOf('alice', 'r', ['x'])
  t.deepEqual(grantFromEntry(encodeGrantEntry(grant, NOW + 30), NOW), grant)
  const odd = grantOf('a\nb', 'r', [])
  t.deepEqual(grantFromEntry(encodeGrantEntry(odd, NOW + 30), NOW)!.user, odd.user)
})

test('an entry is served until, not at, its cachedUntil second', (t) => {
  const text = encodeGrantEntry(grantOf('alice', 'r', []), NOW + 30)
  t.truthy(grantHeadersFromEntry(text, NOW + 29))
  t.is(grantHeadersFromEntry(text, NOW + 30), undefined)
  t.is(grantFromEntry(text, NOW + 30), undefined)
})

test('anything that is not an entry is a miss, never an answer', (t) => {
  for (const text of ['', '{not json', `${NOW + 30}\n1\n\nu\nr\nroles\n{}`, `${NOW + 30}\n1\ntok\nu`, `x\n1\ntok\nu\nr\nroles\n{}`]) {
    t.is(grantHeadersFromEntry(text, NOW), undefined, JSON.stringify(text))
    t.is(grantFromEntry(text, NOW), undefined, JSON.stringify(text))
  }
  t.is(grantFromEntry(`${NOW + 30}\n1\ntok\nu\nr\nroles\nnot json`, NOW), undefined)
  t.is(grantFromEntry(`${NOW + 30}\n1\ntok\nu\nr\nroles\nnull`, NOW), undefined)
})
