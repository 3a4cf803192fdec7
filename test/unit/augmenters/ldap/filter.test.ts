import test from 'ava'
import { escapeFilterValue, userFilter } from '../../../../src/augmenters/ldap/filter'

const CASES: [string, string][] = [
  ['alice', 'alice'],
  ['*', '\\2a'],
  ['a*)(cn=*', 'a\\2a\\29\\28cn=\\2a'],
  ['back\\slash', 'back\\5cslash'],
  ['nul\u0000', 'nul\\00'],
  ['é (x)', 'é \\28x\\29'],
]

for (const [value, escaped] of CASES) {
  test(`RFC 4515 escaping of ${JSON.stringify(value)}`, (t) => t.is(escapeFilterValue(value), escaped))
}

test("the user filter is the reference's search with the name escaped", (t) => {
  t.is(userFilter('bob'), '(&(objectClass=person)(cn=bob))')
  t.is(userFilter('*'), '(&(objectClass=person)(cn=\\2a))')
})
