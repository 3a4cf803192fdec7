/**
 * The config compiler's public API: YAML and `AOT_` variables in, the CompiledConfig nginx
 * preloads out, with every problem found on the way. Used by `authotron compile`/`check` and,
 * in-process, by the tests.
 *
 *     const { config, errors, warnings, notes } = compileConfig({ path: 'config.yaml', env: process.env })
 *
 * `config` is present exactly when `errors` is empty.
 */
import type { CompiledConfig } from '../config/compiled'
import { checkDocument } from './checks'
import { deriveCompiledConfig } from './derive'
import { Diagnostic, formatAll, Severity } from './diagnostics'
import { loadConfig, LoadOptions } from './load'
import { inertKeyNotes } from './notes'
import { isMapping, Mapping } from './paths'
import { compileSigning } from './signing-key'
import { unknownKeyWarnings } from './unknown-keys'
import { PlainUser, resolvePlainUsers } from '../providers/plain/users'
import { convertV1 } from './v1'
import { validateDocument } from './validate'

export type CompileOptions = LoadOptions & {
  /** By augmenter index, what came from outside the YAML (ldap: `authotron ldap-sync`'s snapshot). */
  augmenterInputs?: ReadonlyMap<number, unknown>
}

export interface CompileResult {
  config?: CompiledConfig
  /** The config file as named in messages; absent when the configuration came from env alone. */
  source?: string
  errors: string[]
  warnings: string[]
  notes: string[]
}

export function compileConfig(options: CompileOptions): CompileResult {
  const { diagnostics, config, source } = compileDiagnostics(options)
  const bySeverity = (severity: Severity) =>
    formatAll(diagnostics.filter((d) => d.severity === severity))
  const errors = bySeverity('error')
  return {
    config: errors.length === 0 ? config : undefined,
    source,
    errors,
    warnings: bySeverity('warning'),
    notes: bySeverity('note'),
  }
}

/** The same, with the problems still structured (path, position) rather than formatted. */
export function compileDiagnostics(options: CompileOptions): {
  diagnostics: Diagnostic[]
  config?: CompiledConfig
  source?: string
} {
  const cwd = options.cwd ?? process.cwd()
  const loaded = loadConfig({ ...options, cwd })
  const diagnostics = [...loaded.diagnostics]
  // Without a readable document every later message would be noise.
  const source = loaded.source
  if (diagnostics.some((d) => d.severity === 'error')) return { diagnostics, source }

  const { doc } = loaded
  diagnostics.push(
    ...validateDocument(doc),
    ...unknownKeyWarnings(doc),
    ...inertKeyNotes(doc),
    ...checkDocument(doc),
  )

  let data: Mapping | undefined = doc.data
  if (doc.data.version === '1.0.0' && typeof doc.data.bind_address === 'string') {
    const converted = convertV1(doc)
    diagnostics.push(...converted.diagnostics)
    data = converted.data
  }

  const plainUsers = new Map<number, PlainUser[]>()
  const providers = Array.isArray(doc.data.providers) ? doc.data.providers : []
  providers.forEach((provider: unknown, index) => {
    if (!isMapping(provider) || provider.type !== 'plain') return
    const resolved = resolvePlainUsers(provider, ['providers', index], {
      doc,
      baseDir: loaded.baseDir,
      cwd,
    })
    diagnostics.push(...resolved.diagnostics)
    plainUsers.set(index, resolved.users)
  })

  // The private key file of an asymmetric jwt.alg (RS256, ES256, EdDSA): read and checked here.
  const { signing, diagnostics: signingDiagnostics } = compileSigning(doc.data.jwt, { doc, baseDir: loaded.baseDir, cwd })
  diagnostics.push(...signingDiagnostics)

  if (data === undefined || diagnostics.some((d) => d.severity === 'error'))
    return { diagnostics, source }
  return {
    diagnostics,
    source,
    config: deriveCompiledConfig({ data, doc, plainUsers, signing, augmenterInputs: options.augmenterInputs }),
  }
}
