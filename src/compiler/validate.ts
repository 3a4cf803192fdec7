/**
 * Checks a document against CONFIG_SCHEMA with ajv and turns ajv's errors into diagnostics, one
 * wording per keyword:
 *
 *     type       expected a string / expected a list / expected a string or null …
 *     required   required key missing   (reported at the mapping that lacks it)
 *     enum       expected one of 'plain', 'jwt', …
 *     const      expected '2.0.0'
 *     minimum    expected an integer >= 0          maximum  expected an integer <= 65535
 *     minLength  expected a non-empty string
 *
 * and, where the schema says `errorMessage`, that text once for everything failing inside it.
 */
import Ajv2020, { ErrorObject, ValidateFunction } from 'ajv/dist/2020'
import type { Diagnostic } from './diagnostics'
import { isMapping, Path, pointerToPath } from './paths'
import { CONFIG_SCHEMA } from './schema'
import { LocatedDocument, missingKeyLocation, valueLocation } from './source'

let compiled: ValidateFunction | undefined

function validator(): ValidateFunction {
  if (compiled === undefined) {
    const ajv = new Ajv2020({
      allErrors: true,
      verbose: true,
      strict: true,
      allowUnionTypes: true,
      // `required` inside if/then/anyOf names keys declared by the enclosing schema.
      strictRequired: false,
    })
    // An annotation for this module; the validation itself ignores it.
    ajv.addKeyword({ keyword: 'errorMessage', schemaType: 'string' })
    compiled = ajv.compile(CONFIG_SCHEMA)
  }
  return compiled
}

export function validateDocument(doc: LocatedDocument): Diagnostic[] {
  const validate = validator()
  if (validate(doc.data)) return []
  const diagnostics: Diagnostic[] = []
  const replaced = new Map<object, Set<string>>()
  for (const error of validate.errors ?? []) {
    const path = pointerToPath(error.instancePath, doc.data)
    const custom = errorMessageFor(error)
    if (custom !== undefined) {
      const instances = replaced.get(custom.owner) ?? new Set<string>()
      replaced.set(custom.owner, instances)
      if (!instances.has(error.instancePath)) {
        instances.add(error.instancePath)
        diagnostics.push({
          severity: 'error',
          path,
          where: valueLocation(doc, path),
          message: custom.message,
        })
      }
      continue
    }
    const diagnostic = describe(error, path, doc)
    if (diagnostic !== undefined) diagnostics.push(diagnostic)
  }
  return diagnostics
}

function describe(error: ErrorObject, path: Path, doc: LocatedDocument): Diagnostic | undefined {
  const at = (message: string): Diagnostic => ({
    severity: 'error',
    path,
    where: valueLocation(doc, path),
    message,
  })
  switch (error.keyword) {
    case 'type':
      return at(`expected ${listOfTypes(String(error.params.type).split(','))}`)
    case 'required': {
      const missing = error.params.missingProperty as string
      return {
        severity: 'error',
        path: [...path, missing],
        where: missingKeyLocation(doc, path),
        message: 'required key missing',
      }
    }
    case 'enum':
      return at(
        `expected one of ${(error.params.allowedValues as unknown[]).map(quote).join(', ')}`,
      )
    case 'const':
      return at(`expected ${quote(error.params.allowedValue)}`)
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return at(
        `expected ${nounOf(error.parentSchema)} ${error.params.comparison} ${error.params.limit}`,
      )
    case 'minLength':
      return at(
        error.params.limit === 1
          ? 'expected a non-empty string'
          : `expected at least ${error.params.limit} characters`,
      )
    case 'if':
      // "must match then schema": a summary of the errors inside `then`, reported on their own.
      return undefined
    default:
      // Keywords the schema does not use without an errorMessage; ajv's text beats silence.
      return at(error.message ?? error.keyword)
  }
}

const TYPE_NAMES: { [type: string]: string } = {
  string: 'a string',
  integer: 'an integer',
  number: 'a number',
  boolean: 'a boolean',
  array: 'a list',
  object: 'a mapping',
  null: 'null',
}

function listOfTypes(types: string[]): string {
  return types.map((type) => TYPE_NAMES[type] ?? type).join(' or ')
}

function nounOf(schema: unknown): string {
  const type = isMapping(schema) ? schema.type : undefined
  return type === 'integer' ? 'an integer' : 'a number'
}

function quote(value: unknown): string {
  return typeof value === 'string' ? `'${value}'` : JSON.stringify(value)
}

/**
 * Every subschema lying inside a schema that carries an `errorMessage`, mapped to that message
 * (the outermost one wins). ajv reports the failing subschema itself as `parentSchema` (the same
 * object), whereas its `schemaPath` is relative to wherever ajv inlined a `$ref`, so the lookup
 * goes by identity.
 */
const messageOwners = new Map<object, { message: string; owner: object }>()

function indexErrorMessages(node: unknown, inherited?: { message: string; owner: object }): void {
  if (node === null || typeof node !== 'object') return
  let current = inherited
  if (current === undefined && isMapping(node) && typeof node.errorMessage === 'string') {
    current = { message: node.errorMessage, owner: node }
  }
  if (current !== undefined) messageOwners.set(node, current)
  for (const child of Object.values(node)) indexErrorMessages(child, current)
}
indexErrorMessages(CONFIG_SCHEMA)

function errorMessageFor(error: ErrorObject): { message: string; owner: object } | undefined {
  return error.parentSchema === undefined ? undefined : messageOwners.get(error.parentSchema)
}
