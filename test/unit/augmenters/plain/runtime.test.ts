import test from 'ava'
import { plainAugmenter } from '../../../../src/augmenters/plain/runtime'
import type { CompiledPlainAugmenter } from '../../../../src/augmenters/plain/compiled'
import { newUser } from '../../../../src/user'
import { testPlatform } from '../../support/platform'

const ctx = { platform: testPlatform() }

function plain(roles: [string, string[]][], realm = 'r'): CompiledPlainAugmenter {
  return { type: 'plain', name: 'p', realm, roles }
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
