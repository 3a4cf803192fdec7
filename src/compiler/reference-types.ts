/**
 * Provider and augmenter types of the reference that this build accepts but does not implement
 * yet: their YAML is validated, a warning says they do nothing, and their keys are compiled
 * verbatim (derive.ts). Implementing one moves its entry here into its own unit folder
 * (docs/architecture.md).
 */
import type { Scheme } from '../config/compiled'
import type { UnitSchema } from './schema-parts'

export const REFERENCE_PROVIDERS: { [type: string]: { scheme: Scheme; schema: UnitSchema } } = {}

export const REFERENCE_AUGMENTERS: { [type: string]: { schema: UnitSchema } } = {}
