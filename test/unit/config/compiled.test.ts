/**
 * Pins the shape of the compiled JSON (src/config/compiled.ts) to COMPILED_FORMAT: the njs module
 * refuses a file of another format, so a file written by an older compiler must never be read by
 * a module that expects another shape under the same number. The shape of a representative config
 * (test/fixtures/config/representative.yaml: every implemented type, every optional key) is
 * reduced to one line per path and JSON type, and compared with compiled-shape.json, recorded
 * together with the format number.
 */
import test from 'ava'
import { readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { compileConfig } from '../../../src/compiler/compile'
import { COMPILED_FORMAT } from '../../../src/config/compiled'

const HERE = dirname(fileURLToPath(import.meta.url))
const PINNED = join(HERE, 'compiled-shape.json')
const REPRESENTATIVE = join(HERE, '../../fixtures/config/representative.yaml')
const UPDATE = 'AOT_UPDATE_COMPILED_SHAPE'

/** Objects whose keys are data (usernames, realms, digests), not names: `{}` stands for any key. */
const MAPS = [/^providers\[\]\(type=plain\)\.users$/, /^augmenterPlans$/, /^precomputedBasic\.byCredential$/]
/** Keys that tell variants apart: they become part of the path, `(type=jwt)`. */
const TAGS = ['type', 'form']

interface Pinned {
  format: number
  shape: string[]
}

/** `path: JSON type` for every value in `value`, distinct and sorted. */
function shapeLines(value: unknown): string[] {
  const lines = new Set<string>()
  const visit = (at: string, item: unknown) => {
    const kind = item === null ? 'null' : Array.isArray(item) ? 'array' : typeof item
    if (kind !== 'object') {
      lines.add(`${at}: ${kind}`)
      if (kind === 'array') for (const element of item as unknown[]) visit(`${at}[]`, element)
      return
    }
    const object = item as { [key: string]: unknown }
    const tag = TAGS.find((key) => typeof object[key] === 'string')
    const here = tag === undefined ? at : `${at}(${tag}=${object[tag]})`
    lines.add(`${here}: object`)
    const isMap = MAPS.some((pattern) => pattern.test(here))
    for (const key of Object.keys(object)) {
      visit(isMap ? `${here}{}` : here === '' ? key : `${here}.${key}`, object[key])
    }
  }
  visit('', value)
  return [...lines].sort()
}

function representativeShape(): string[] {
  const result = compileConfig({ path: REPRESENTATIVE, env: {}, cwd: HERE })
  if (result.config === undefined) throw new Error(`representative.yaml: ${result.errors.join('; ')}`)
  return shapeLines(result.config)
}

test('the compiled JSON has the shape pinned for its COMPILED_FORMAT', (t) => {
  const shape = representativeShape()
  if (process.env[UPDATE] === '1') {
    writeFileSync(PINNED, JSON.stringify({ format: COMPILED_FORMAT, shape }, null, 2) + '\n')
    t.log(`wrote ${PINNED} for format ${COMPILED_FORMAT}`)
  }
  const pinned = JSON.parse(readFileSync(PINNED, 'utf8')) as Pinned
  const added = shape.filter((line) => !pinned.shape.includes(line))
  const removed = pinned.shape.filter((line) => !shape.includes(line))
  const regenerate = `${UPDATE}=1 npx ava test/unit/config/compiled.test.ts`
  t.deepEqual(
    { added, removed },
    { added: [], removed: [] },
    `The compiled JSON's shape differs from the one pinned for format ${pinned.format}. If a file ` +
      'of the old shape would be misread by the new module (a key renamed, removed, retyped or ' +
      'now required), bump COMPILED_FORMAT in src/config/compiled.ts and note why there; then ' +
      `record the new shape: ${regenerate}`,
  )
  t.is(
    pinned.format,
    COMPILED_FORMAT,
    `COMPILED_FORMAT changed without recording the shape it stands for: ${regenerate}`,
  )
})

test('the shape tells variants, maps, optional keys and types apart', (t) => {
  const lines = shapeLines({
    providers: [
      { type: 'plain', users: { '=a': [{ verifier: { form: 'plain', sha256: 'x' } }] } },
      { type: 'jwt', leeway: 60, issuers: ['i'] },
      { type: 'jwt', leeway: 60 },
    ],
    expCap: null,
  })
  t.deepEqual(lines, [
    ': object',
    'expCap: null',
    'providers: array',
    'providers[](type=jwt).issuers: array',
    'providers[](type=jwt).issuers[]: string',
    'providers[](type=jwt).leeway: number',
    'providers[](type=jwt).type: string',
    'providers[](type=jwt): object',
    'providers[](type=plain).type: string',
    'providers[](type=plain).users: object',
    'providers[](type=plain).users{}: array',
    'providers[](type=plain).users{}[].verifier(form=plain).form: string',
    'providers[](type=plain).users{}[].verifier(form=plain).sha256: string',
    'providers[](type=plain).users{}[].verifier(form=plain): object',
    'providers[](type=plain).users{}[]: object',
    'providers[](type=plain): object',
  ])
})
