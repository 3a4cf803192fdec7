import test from 'ava'
import { plainAdvancedAugmenter } from '../../../../src/augmenters/plain_advanced/runtime'
import type { CompiledPlainAdvancedAugmenter } from '../../../../src/augmenters/plain_advanced/compiled'
import { newUser } from '../../../../src/user'
import { testPlatform } from '../../support/platform'

const ctx = { platform: testPlatform() }

function advanced(over: Partial<CompiledPlainAdvancedAugmenter>): CompiledPlainAdvancedAugmenter {
  return { type: 'plain_advanced', name: 'a', realm: 'r', matchUsernames: [], matchRoles: [], roles: [], attributes: [], ...over }
}

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
