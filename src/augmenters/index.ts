/**
 * The runtime's augmenter registry: config `type` → the type's runtime half
 * (src/augmenters/<type>/runtime.ts); the compile half is registered in src/compiler/units.ts.
 * Adding an augmenter = its folder + one line here + one line there (docs/architecture.md).
 */
import { plainAugmenter } from './plain/runtime'
import { plainAdvancedAugmenter } from './plain_advanced/runtime'
import { ldapAugmenter } from './ldap/runtime'
import type { AugmenterModule } from './types'

export const augmenterModules: { [type: string]: AugmenterModule<any> | undefined } = {
  plain: plainAugmenter,
  plain_advanced: plainAdvancedAugmenter,
  ldap: ldapAugmenter,
}
