import test from 'ava'
import { ldapAugmenter, ldapKey } from '../../../../src/augmenters/ldap/runtime'
import type { CompiledLdapAugmenter } from '../../../../src/augmenters/ldap/compiled'
import { buildSnapshot, sameDirectory } from '../../../../src/augmenters/ldap/snapshot'
import { errorCode } from '../../../../src/errors'
import { newUser } from '../../../../src/user'
import { testPlatform } from '../../support/platform'

const ctx = { platform: testPlatform() }
const TEAMS = 'OU=Teams,DC=example,DC=com'
const people = [
  { dn: 'cn=bob,dc=x', cn: ['bob'], memberOf: [`CN=ops,${TEAMS}`] },
  { dn: 'cn=Alice Smith,dc=x', cn: ['Alice  Smith', 'asmith'], memberOf: [`CN=dev,${TEAMS}`, `CN=ops,${TEAMS}`, 'OU=nocn'] },
  { dn: 'cn=alice smith,ou=other,dc=x', cn: ['alice smith'], memberOf: [`CN=admins,${TEAMS}`, `CN=dev,${TEAMS}`] },
]

function ldap(snapshot: CompiledLdapAugmenter['snapshot']): CompiledLdapAugmenter {
  return { type: 'ldap', name: 'dir', realm: 'r', snapshot }
}

const snapshot = buildSnapshot(people, { filter: null, filters: null }, new Date('2026-12-06T12:00:00Z'))

test('the snapshot holds each group once with its roles, users by cn as the directory compares it', (t) => {
  t.is(snapshot.takenAt, '2026-12-06T12:00:00.000Z')
  // People in DN order: 'cn=Alice Smith,…' first.
  t.deepEqual(snapshot.groups, [`CN=dev,${TEAMS}`, `CN=ops,${TEAMS}`, 'OU=nocn', `CN=admins,${TEAMS}`])
  t.deepEqual(snapshot.groupRoles, [['dev'], ['ops'], [], ['admins']])
  t.deepEqual(snapshot.members, { '=alice smith': [0, 1, 2, 3], '=asmith': [0, 1, 2], '=bob': [1] })
})

test('a user gets the roles of every group, each once, after the roles already held', (t) => {
  const user = newUser('ALICE SMITH', 'r', ['dev'])
  ldapAugmenter.augment(ldap(snapshot), user, ctx)
  t.deepEqual(user.roles, ['dev', 'ops', 'admins'])
})

test('a user the directory does not list gets nothing; names never match as patterns', (t) => {
  for (const name of ['carol', '*', 'bob*', '(cn=bob)', '\\62ob', '__proto__', 'constructor']) {
    const user = newUser(name, 'r', [])
    ldapAugmenter.augment(ldap(snapshot), user, ctx)
    t.deepEqual(user.roles, [], name)
  }
})

test('no snapshot: a coded error (logged by the pipeline, which goes on); another realm: an error too', (t) => {
  const user = newUser('bob', 'r', [])
  t.is(errorCode(t.throws(() => ldapAugmenter.augment(ldap(null), user, ctx))), 'ERR_LDAP_NO_SNAPSHOT')
  t.is(errorCode(t.throws(() => ldapAugmenter.augment(ldap(snapshot), newUser('bob', 's', []), ctx))), 'ERR_AUGMENTER_REALM')
  t.deepEqual(user.roles, [])
})

test('ldapKey folds case and spaces as caseIgnoreMatch does', (t) => {
  t.is(ldapKey('  Alice   Smith '), 'alice smith')
  t.is(ldapKey('BOB'), 'bob')
})

test('sameDirectory ignores the time and the order the directory listed people in', (t) => {
  const later = buildSnapshot([...people].reverse(), { filter: null, filters: null }, new Date())
  t.true(sameDirectory(snapshot, later))
  const changed = buildSnapshot(people.slice(1), { filter: null, filters: null }, new Date())
  t.false(sameDirectory(snapshot, changed))
  t.false(sameDirectory(snapshot, null))
  t.true(sameDirectory(null, null))
})
