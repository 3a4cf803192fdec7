/**
 * Reads CONFIG_SCHEMA the way a document uses it: which subschemas apply to the value at a path,
 * following `$ref`, `allOf`, `anyOf`/`oneOf` and `if`/`then` (tags decided by the document's own
 * `type`/`version` values). Used to type environment values by the key they land on and to find
 * unknown keys; validation proper is ajv's job.
 */
import { isMapping, Path } from './paths'
import { CONFIG_SCHEMA, JsonSchema } from './schema'

/** The schemas that apply to `value`, itself described by `schema`. */
export function applicableSchemas(
  value: unknown,
  schema: JsonSchema = CONFIG_SCHEMA,
): JsonSchema[] {
  const found: JsonSchema[] = []
  const visit = (current: JsonSchema): void => {
    if (typeof current.$ref === 'string') visit(resolveRef(current.$ref))
    found.push(current)
    for (const keyword of ['allOf', 'anyOf', 'oneOf'] as const) {
      const members = current[keyword]
      if (Array.isArray(members)) for (const member of members) visit(member as JsonSchema)
    }
    if (isMapping(current.if) && matchesCondition(current.if as JsonSchema, value)) {
      if (isMapping(current.then)) visit(current.then as JsonSchema)
    }
  }
  visit(schema)
  return found
}

/** The schemas of the value at `path` inside `root` (a whole document). */
export function schemasAt(root: unknown, path: Path): JsonSchema[] {
  let schemas = applicableSchemas(root)
  let value = root
  for (const segment of path) {
    value =
      typeof segment === 'number'
        ? Array.isArray(value)
          ? value[segment]
          : undefined
        : isMapping(value)
          ? value[segment]
          : undefined
    schemas = childSchemas(schemas, segment, value)
  }
  return schemas
}

/** The schemas of `value`, found under `segment` of a value described by `parentSchemas`. */
export function childSchemas(
  parentSchemas: JsonSchema[],
  segment: string | number,
  value: unknown,
): JsonSchema[] {
  const next: JsonSchema[] = []
  for (const schema of parentSchemas) {
    const child = childSchema(schema, segment)
    if (child !== undefined) next.push(...applicableSchemas(value, child))
  }
  return next
}

/** JSON types the schemas allow ('string', 'integer', …), from `type`, `const` and `enum`. */
export function allowedTypes(schemas: JsonSchema[]): Set<string> {
  const types = new Set<string>()
  for (const schema of schemas) {
    const declared = schema.type
    if (typeof declared === 'string') types.add(declared)
    else if (Array.isArray(declared)) for (const type of declared) types.add(type as string)
    const constants =
      'const' in schema ? [schema.const] : Array.isArray(schema.enum) ? schema.enum : []
    for (const constant of constants) types.add(constant === null ? 'null' : typeof constant)
  }
  return types
}

export interface KeysInfo {
  /** Keys some applicable schema names in `properties`. */
  known: string[]
  /** The mapping takes any key (`additionalProperties` is a schema: roles, attributes). */
  openEnded: boolean
  /** A tag (`type`, `version`) has a value the schema does not know, so no key set applies. */
  undecided: boolean
}

/** What keys the mapping `value` may have, given the schemas that apply to it. */
export function keysInfo(value: unknown, schemas: JsonSchema[]): KeysInfo {
  const known = new Set<string>()
  let openEnded = false
  let undecided = false
  for (const schema of schemas) {
    if (isMapping(schema.additionalProperties)) openEnded = true
    if (isMapping(schema.properties))
      for (const key of Object.keys(schema.properties)) known.add(key)
    if (
      isTaggedUnion(schema) &&
      !(schema.allOf as JsonSchema[]).some((m) => matchesCondition(m.if as JsonSchema, value))
    ) {
      undecided = true
    }
  }
  return { known: [...known], openEnded, undecided }
}

/** An `allOf` made only of `if`/`then` tag tests (see taggedUnion in schema.ts). */
function isTaggedUnion(schema: JsonSchema): boolean {
  const members = schema.allOf
  return (
    Array.isArray(members) &&
    members.length > 0 &&
    members.every((member) => isMapping(member) && isMapping(member.if) && isMapping(member.then))
  )
}

function childSchema(schema: JsonSchema, segment: string | number): JsonSchema | undefined {
  if (typeof segment === 'number')
    return isMapping(schema.items) ? (schema.items as JsonSchema) : undefined
  const properties = schema.properties as { [key: string]: JsonSchema } | undefined
  if (properties !== undefined && Object.hasOwn(properties, segment)) return properties[segment]
  return isMapping(schema.additionalProperties)
    ? (schema.additionalProperties as JsonSchema)
    : undefined
}

function resolveRef(reference: string): JsonSchema {
  const match = /^#\/\$defs\/([^/]+)$/.exec(reference)
  const definitions = CONFIG_SCHEMA.$defs as { [name: string]: JsonSchema }
  if (match === null || !Object.hasOwn(definitions, match[1])) {
    throw new Error(`schema-walk: unsupported $ref ${reference}`)
  }
  return definitions[match[1]]
}

/**
 * Evaluates an `if` of the one form the schema uses: `{properties: {k: {const: v}}, required: [k]}`
 * (a tag test). Anything else is a programming error in schema.ts, so it throws.
 */
function matchesCondition(condition: JsonSchema, value: unknown): boolean {
  const properties = condition.properties as { [key: string]: JsonSchema } | undefined
  const keys = properties === undefined ? [] : Object.keys(properties)
  if (keys.length !== 1 || !('const' in properties![keys[0]])) {
    throw new Error('schema-walk: `if` must test one key against a const')
  }
  return (
    isMapping(value) &&
    Object.hasOwn(value, keys[0]) &&
    value[keys[0]] === properties![keys[0]].const
  )
}
