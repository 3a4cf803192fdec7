/**
 * `type: plain_advanced`, §5.2: applies when the username OR any current role matches; adds roles
 * it does not already hold and overwrites attributes.
 */
import type { CompiledPlainAdvancedAugmenter } from './compiled'
import { contains } from '../../preloaded'
import type { User } from '../../user'
import type { AugmenterModule } from '../types'

export const plainAdvancedAugmenter: AugmenterModule<CompiledPlainAdvancedAugmenter> = {
  augment(augmenter: CompiledPlainAdvancedAugmenter, user: User) {
    if (augmenter.realm !== user.realm || !matches(augmenter, user)) return
    for (let i = 0; i < augmenter.roles.length; i++) {
      const role = augmenter.roles[i]
      if (!contains(user.roles, role)) user.roles.push(role)
    }
    for (let i = 0; i < augmenter.attributes.length; i++) {
      const pair = augmenter.attributes[i]
      user.attributes[pair[0]] = pair[1]
    }
  },
}

function matches(augmenter: CompiledPlainAdvancedAugmenter, user: User): boolean {
  if (contains(augmenter.matchUsernames, user.username)) return true
  for (let i = 0; i < user.roles.length; i++) {
    if (contains(augmenter.matchRoles, user.roles[i])) return true
  }
  return false
}
