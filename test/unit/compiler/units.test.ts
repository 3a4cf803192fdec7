import test from 'ava'
import { augmenterModules } from '../../../src/augmenters/index'
import { augmenterCompilers, providerCompilers } from '../../../src/compiler/units'
import { REFERENCE_AUGMENTERS, REFERENCE_PROVIDERS } from '../../../src/compiler/reference-types'
import { providerModules } from '../../../src/providers/index'

/** Runtime-only provider types: the compiler derives them from other keys (token-store from `store`, §4.7). */
const DERIVED_PROVIDERS = ['token-store']

test('every provider type has both halves: a compile half here and a runtime half in src/providers/index.ts', (t) => {
  t.deepEqual(
    [...Object.keys(providerCompilers), ...DERIVED_PROVIDERS].sort(),
    Object.keys(providerModules).sort(),
  )
})

test('every augmenter type has both halves: a compile half here and a runtime half in src/augmenters/index.ts', (t) => {
  t.deepEqual(Object.keys(augmenterCompilers).sort(), Object.keys(augmenterModules).sort())
})

test('a type is either implemented or only accepted, never both', (t) => {
  t.deepEqual(Object.keys(REFERENCE_PROVIDERS).filter((type) => Object.hasOwn(providerCompilers, type)), [])
  t.deepEqual(Object.keys(REFERENCE_AUGMENTERS).filter((type) => Object.hasOwn(augmenterCompilers, type)), [])
})

test('each unit schema names its own member of the tagged union', (t) => {
  for (const [type, unit] of [...Object.entries(providerCompilers), ...Object.entries(augmenterCompilers)]) {
    const member = unit.schema.defs[unit.schema.definition] as { properties?: { type?: unknown } }
    t.deepEqual(member?.properties?.type, { const: type }, type)
  }
})
