/** Augmenter registry: config `type` → module. Adding one = one file + one line here. */
import { plainAugmenter } from './plain'
import { plainAdvancedAugmenter } from './plain_advanced'
import type { AugmenterModule } from './types'

export const augmenterModules: { [type: string]: AugmenterModule<any> | undefined } = {
  plain: plainAugmenter,
  plain_advanced: plainAdvancedAugmenter,
}
