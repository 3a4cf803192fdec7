/**
 * The building blocks of CONFIG_SCHEMA (schema.ts), shared by the schema fragments each provider
 * and augmenter type keeps beside its code (src/providers/<type>/schema.ts, …).
 */
export type JsonSchema = { [keyword: string]: unknown }

/** A type's schema: `definition` names its member of the tagged union; `defs` holds it and its parts. */
export interface UnitSchema {
  definition: string
  defs: { [name: string]: JsonSchema }
}

export const string = (description?: string): JsonSchema =>
  description === undefined ? { type: 'string' } : { type: 'string', description }
export const stringList = (description?: string): JsonSchema => ({
  type: 'array',
  items: { type: 'string' },
  ...(description === undefined ? {} : { description }),
})
export const ref = (name: string): JsonSchema => ({ $ref: `#/$defs/${name}` })
export const stringOrList = (description: string): JsonSchema => ({
  anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' }, minItems: 1 }],
  description,
  errorMessage: 'expected a string or a non-empty list of strings',
})

/** A provider or augmenter: `type`, `name`, `realm` and the keys of its type. */
export function member(
  type: string,
  required: string[],
  properties: { [key: string]: JsonSchema },
): JsonSchema {
  return {
    type: 'object',
    required: ['type', 'name', 'realm', ...required],
    properties: {
      type: { const: type },
      name: string('Shown in GET /providers or /augmenters and in logs; need not be unique.'),
      realm: string(),
      ...properties,
    },
  }
}
