/** The YAML of `type: plain` augmenters (authotron-behaviour.md §5.1). */
import { member, stringList, UnitSchema } from '../../compiler/schema-parts'

export const plainAugmenterSchema: UnitSchema = {
  definition: 'PlainAugmenterConfig',
  defs: {
    PlainAugmenterConfig: member('plain', ['roles'], {
      roles: {
        type: 'object',
        additionalProperties: stringList(),
        description: 'role → usernames that get it.',
      },
    }),
  },
}
