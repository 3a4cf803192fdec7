/** The YAML of `type: plain_advanced` augmenters (authotron-behaviour.md §5.2). */
import { member, ref, stringList, UnitSchema } from '../../compiler/schema-parts'

export const plainAdvancedAugmenterSchema: UnitSchema = {
  definition: 'PlainAdvancedAugmenterConfig',
  defs: {
    PlainAdvancedAugmenterConfig: member('plain_advanced', ['match', 'augment'], {
      match: ref('PlainAdvancedAugmenterMatcher'),
      augment: ref('PlainAdvancedAugmenterAugment'),
    }),
    PlainAdvancedAugmenterMatcher: {
      type: 'object',
      properties: { username: stringList(), role: stringList() },
    },
    PlainAdvancedAugmenterAugment: {
      type: 'object',
      properties: {
        roles: stringList(),
        attributes: { type: 'object', additionalProperties: { type: 'string' } },
      },
    },
  },
}
