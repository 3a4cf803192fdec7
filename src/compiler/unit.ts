/**
 * The compile half of a provider or augmenter type: what src/compiler/units.ts registers for it.
 * The runtime half is registered apart (src/providers/index.ts, src/augmenters/index.ts), so that
 * nothing here reaches the njs bundle.
 */
import type { CompiledAugmenter, CompiledProvider, Scheme } from '../config/compiled'
import type { Diagnostic } from './diagnostics'
import type { Mapping, Path } from './paths'
import type { UnitSchema } from './schema-parts'
import type { LocatedDocument } from './source'
import type { PlainUser } from '../providers/plain/users'

/** Files a diagnostic against the document being checked (checks.ts gives the position). */
export type Report = (severity: Diagnostic['severity'], path: Path, message: string) => void

/** What a provider type's compile step gets besides the YAML item itself. */
export interface ProviderCompileInput {
  provider: Mapping
  /** type, name, realm, filterRealm and scheme, common to every compiled provider. */
  common: { type: string; name: string; realm: string; filterRealm: string; scheme: Scheme }
  path: Path
  /** The whole document (2.0.0 form). */
  data: Mapping
  /** For `plain`: its users (src/providers/plain/users.ts, read before any type compiles). */
  users: PlainUser[]
}

export interface ProviderCompiler<C extends CompiledProvider = CompiledProvider> {
  /** The Authorization scheme it answers; also its part of the 401 challenge. */
  scheme: Scheme
  schema: UnitSchema
  compile(input: ProviderCompileInput): C
  /** Warnings and notes about a schema-valid item (checks.ts): likely mistakes, not errors. */
  check?(provider: Mapping, path: Path, report: Report): void
}

/** What an augmenter type's compile step gets besides the YAML item itself. */
export interface AugmenterCompileInput {
  augmenter: Mapping
  common: { type: string; name: string; realm: string }
  path: Path
  data: Mapping
  /** The document as read: keeps the YAML order of mapping keys. */
  doc: LocatedDocument
  /** What came from outside the YAML for this item (ldap: the directory snapshot of `authotron ldap-sync`). */
  external?: unknown
}

export interface AugmenterCompiler<C extends CompiledAugmenter = CompiledAugmenter> {
  schema: UnitSchema
  compile(input: AugmenterCompileInput): C
  check?(augmenter: Mapping, path: Path, report: Report): void
  /**
   * Answers from the config alone, synchronously, the same every time and without the platform:
   * the compiler may then run it ahead for the precomputed Basic grants (basic-grants.ts). A
   * function decides per compiled item (ldap: static once it holds a snapshot).
   */
  static?: true | ((augmenter: C) => boolean)
  /** Keys of its entry in GET /augmenters after name, type and realm. */
  listing?(augmenter: C): Mapping
}
