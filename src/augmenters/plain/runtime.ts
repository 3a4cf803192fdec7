/** `type: plain` (deprecated in the reference), §5.1: appends roles, no de-duplication. */
import type { CompiledPlainAugmenter } from './compiled'
import { contains } from '../../preloaded'
import type { User } from '../../user'
import type { AugmenterModule } from '../types'

export const plainAugmenter: AugmenterModule<CompiledPlainAugmenter> = {
  augment(augmenter: CompiledPlainAugmenter, user: User) {
    if (augmenter.realm !== user.realm) return
    for (let i = 0; i < augmenter.roles.length; i++) {
      const pair = augmenter.roles[i]
      if (contains(pair[1], user.username)) user.roles.push(pair[0])
    }
  },
}
