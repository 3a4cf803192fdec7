import type { CompiledAugmenter } from '../config/compiled'
import type { Platform } from '../platform'
import type { User } from '../user'

export interface AugmenterContext {
  platform: Platform
}

/**
 * One augmenter type. `augment` changes the user in place and may answer synchronously; a thrown
 * error or rejection never fails the request (the pipeline logs it and goes on). Ordering rules
 * (parallel group, then plain_advanced in config order) live in src/auth/augment.ts.
 */
export interface AugmenterModule<C extends CompiledAugmenter = CompiledAugmenter> {
  augment(augmenter: C, user: User, ctx: AugmenterContext): void | Promise<void>
}
