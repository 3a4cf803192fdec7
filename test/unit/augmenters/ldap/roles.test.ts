/**
 * §5.3's DN → role rules, table-driven. L1–L11 are the reference's cases (authotron-behaviour.md
 * §5.3 and its examples); the rest pin the parsing details they rely on.
 */
import test from 'ava'
import { dnComponents, firstCn, isInvalidFilter, RoleRules, rolesOfGroup } from '../../../../src/augmenters/ldap/roles'

const DN = 'CN=SomeRole,OU=TeamB,OU=TeamA,DC=example,DC=com'
const none: RoleRules = { filter: null, filters: null }
const filters = (...list: string[]): RoleRules => ({ filter: null, filters: list })
const filter = (text: string): RoleRules => ({ filter: text, filters: null })

const CASES: [id: string, dn: string, rules: RoleRules, roles: string[]][] = [
  ['L1 neither filter nor filters: the first CN', DN, none, ['SomeRole']],
  ['L2 no CN component: no roles', 'OU=TeamA,DC=example,DC=com', none, []],
  ['L3 the first CN= wins, wherever it is', 'OU=SomeOU,CN=RoleA,CN=RoleB,DC=example,DC=com', none, ['RoleA']],
  ['L4 filter: case-sensitive substring of the raw DN gives cn', 'CN=SomeRole,OU=TeamA,DC=example,DC=com', filter('TeamA'), ['SomeRole']],
  ['L5 filter not in the DN (case differs): nothing', 'CN=SomeRole,OU=TeamA,DC=example,DC=com', filter('teama'), []],
  ['L6 filters, one component each: a path per matching filter', DN, filters('OU=TeamA', 'OU=TeamB'), ['/TeamA/TeamB/SomeRole', '/TeamB/SomeRole']],
  ['L7 one filter of two components, root → leaf', DN, filters('OU=TeamA,OU=TeamB'), ['/TeamA/TeamB/SomeRole']],
  ['L8 the same in DN order', DN, filters('OU=TeamB,OU=TeamA'), ['/TeamA/TeamB/SomeRole']],
  ['L9 filters: [CN=SomeRole] gives /SomeRole', DN, filters('CN=SomeRole'), ['/SomeRole']],
  ['L10 non-contiguous components do not match', 'CN=SomeRole,OU=TeamC,OU=TeamB,OU=TeamA,DC=example,DC=com', filters('OU=TeamA,OU=TeamC'), []],
  ['L11 an empty filters list gives no roles, and takes precedence over filter', DN, { filter: 'TeamA', filters: [] }, []],
  ['filters match keys and values ASCII case-insensitively, trimmed', DN, filters(' ou = teama '), ['/TeamA/TeamB/SomeRole']],
  ['filters with no match contribute nothing', 'CN=SomeRole,OU=TeamC,DC=example,DC=com', filters('OU=TeamA', 'OU=TeamB'), []],
  ['lower-case cn= is not CN (exact key)', 'cn=role,ou=TeamA,dc=example', none, []],
  ['a spaced " CN" key is not CN, untrimmed', 'OU=x, CN=role', none, []],
  ['the cn value is kept untrimmed', 'CN= Role ,OU=x', none, [' Role ']],
  ['escaped commas are not special', 'CN=Doe\\, John,OU=x', none, ['Doe\\']],
  ['a filter path keeps the DN values as written', 'CN=Ops,OU=Team A,DC=x', filters('ou=team a'), ['/Team A/Ops']],
]

for (const [id, dn, rules, roles] of CASES) {
  test(id, (t) => t.deepEqual(rolesOfGroup(dn, rules), roles))
}

test('dnComponents: split on commas, each at its first =, trimmed, empty keys or values dropped', (t) => {
  t.deepEqual(dnComponents('OU=TeamA, CN = Role ,=x,y=,novalue,a=b=c'), [
    ['OU', 'TeamA'],
    ['CN', 'Role'],
    ['a', 'b=c'],
  ])
})

test('firstCn and invalid filters (no key=value part)', (t) => {
  t.is(firstCn('OU=x,CN=a,CN=b'), 'a')
  t.is(firstCn('OU=x'), undefined)
  for (const bad of ['nonsense', '', '=x', 'x=', ' = , ']) t.true(isInvalidFilter(bad), bad)
  for (const good of ['OU=A', 'junk,OU=A']) t.false(isInvalidFilter(good), good)
})
