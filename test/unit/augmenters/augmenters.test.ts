import test from 'ava'
import { plainAugmenter } from '../../../src/augmenters/plain'
import { plainAdvancedAugmenter } from '../../../src/augmenters/plain_advanced'
import type { CompiledPlainAdvancedAugmenter, CompiledPlainAugmenter } from '../../../src/config/compiled'
import { newUser } from '../../../src/user'
import { testPlatform } from '../support/platform'

const ctx = { platform: testPlatform() }

function plain(roles: [string, string[]][], realm = 'r'): CompiledPlainAugmenter {
  return { type: 'plain', name: 'p', realm, roles }
}

function advanced(over: Partial<CompiledPlainAdvancedAugmenter>): CompiledPlainAdvancedAugmenter {
  return { type: 'plain_advanced', name: 'a', realm: 'r', matchUsernames: [], matchRoles: [], roles: [], attributes: [], ...over }
}

test('plain appends every role listing the username, without de-duplication', (t) => {
  const user = newUser('adam', 'r', ['admin'])
  plainAugmenter.augment(plain([['admin', ['adam']], ['ops', ['eve']], ['dev', ['eve', 'adam']]]), user, ctx)
  t.deepEqual(user.roles, ['admin', 'admin', 'dev'])
})

test('plain does nothing in another realm and never touches attributes', (t) => {
  const user = newUser('adam', 'other', [])
  plainAugmenter.augment(plain([['admin', ['adam']]]), user, ctx)
  t.deepEqual(user.roles, [])
  t.deepEqual(user.attributes, {})
})

test('plain matches usernames exactly', (t) => {
  const user = newUser('Adam', 'r', [])
  plainAugmenter.augment(plain([['admin', ['adam', ' Adam']]]), user, ctx)
  t.deepEqual(user.roles, [])
})

test('plain_advanced applies on username OR role, de-duplicates roles, overwrites attributes', (t) => {
  const byName = newUser('adam', 'r', ['user'])
  byName.attributes.team = 'old'
  plainAdvancedAugmenter.augment(
    advanced({ matchUsernames: ['adam'], roles: ['user', 'ops', 'ops', 'dev'], attributes: [['team', 'new'], ['site', 'x']] }),
    byName,
    ctx,
  )
  t.deepEqual(byName.roles, ['user', 'ops', 'dev'])
  t.deepEqual(byName.attributes, { team: 'new', site: 'x' })

  const byRole = newUser('eve', 'r', ['staff'])
  plainAdvancedAugmenter.augment(advanced({ matchRoles: ['staff'], roles: ['ops'] }), byRole, ctx)
  t.deepEqual(byRole.roles, ['staff', 'ops'])
})

test('plain_advanced with empty match lists never applies', (t) => {
  const user = newUser('adam', 'r', ['user'])
  plainAdvancedAugmenter.augment(advanced({ roles: ['ops'], attributes: [['a', 'b']] }), user, ctx)
  t.deepEqual(user.roles, ['user'])
  t.deepEqual(user.attributes, {})
})

test('plain_advanced does nothing in another realm', (t) => {
  const user = newUser('adam', 'other', [])
  plainAdvancedAugmenter.augment(advanced({ matchUsernames: ['adam'], roles: ['ops'] }), user, ctx)
  t.deepEqual(user.roles, [])
})
