/**
 * Finding and reading the configuration (authotron-behaviour.md §2.1) and laying the `AOT_`
 * environment overrides over it (§2.2).
 *
 * Which file: an explicit path is read as given, and a missing file is an error. Without one, the
 * path is `$AOT_CONFIG_PATH`, else `config.yaml`; like the reference (figment), a relative path is
 * looked for in the working directory and then in each parent directory, and when there is no
 * such file at all the document starts empty, so the configuration can come from the environment
 * alone (with a warning, since that is usually a mistake at the command line).
 */
import { existsSync, readFileSync, statSync } from 'node:fs'
import { dirname, isAbsolute, join, relative, resolve } from 'node:path'
import type { Diagnostic } from './diagnostics'
import { describeIoError } from './io-error'
import { CONFIG_PATH_VARIABLE, EnvOverride, Environment, readEnvOverrides } from './env'
import { isMapping, Mapping, Path, pathKey, setOwn, valueAt } from './paths'
import { allowedTypes, schemasAt } from './schema-walk'
import { emptyDocument, forgetBelow, LocatedDocument, recordOrigin, SourceLocation } from './source'
import { parseYaml } from './yaml'

export const DEFAULT_CONFIG_FILE = 'config.yaml'

export interface LoadOptions {
  /** The config file. With `text`, only names it in messages and anchors relative paths. */
  path?: string
  /** The YAML itself, instead of reading `path`. */
  text?: string
  env: Environment
  /** Where relative paths start; the process's working directory by default. */
  cwd?: string
}

export interface LoadedConfig {
  doc: LocatedDocument
  diagnostics: Diagnostic[]
  /** The directory relative paths inside the config (htpasswd_file) are resolved against. */
  baseDir: string
  /** The config file as named in messages; absent when there was none. */
  source?: string
}

export function loadConfig(options: LoadOptions): LoadedConfig {
  const cwd = options.cwd ?? process.cwd()
  const diagnostics: Diagnostic[] = []
  const source = readSource(options, cwd, diagnostics)
  let doc = emptyDocument(source.displayName)
  if (source.text !== undefined) {
    const parsed = parseYaml(source.text, source.displayName ?? '<config>')
    diagnostics.push(...parsed.diagnostics)
    doc = parsed.doc
  }
  const env = readEnvOverrides(options.env)
  diagnostics.push(...env.diagnostics)
  for (const override of env.overrides) applyOverride(doc, override)
  for (const override of env.overrides) retypeAsText(doc, override)
  return { doc, diagnostics, baseDir: source.baseDir, source: source.displayName }
}

interface ConfigSource {
  text?: string
  displayName?: string
  baseDir: string
}

function readSource(options: LoadOptions, cwd: string, diagnostics: Diagnostic[]): ConfigSource {
  if (options.text !== undefined) {
    const baseDir = options.path === undefined ? cwd : dirname(resolve(cwd, options.path))
    return { text: options.text, displayName: options.path ?? '<config>', baseDir }
  }
  if (options.path !== undefined) {
    const absolute = resolve(cwd, options.path)
    const text = readText(absolute, options.path, diagnostics)
    return { text, displayName: options.path, baseDir: dirname(absolute) }
  }
  const wanted = options.env[CONFIG_PATH_VARIABLE] || DEFAULT_CONFIG_FILE
  const found = findConfigFile(wanted, cwd)
  if (found === undefined) {
    const searched = isAbsolute(wanted) ? '' : ' in the working directory or its parents'
    diagnostics.push({
      severity: 'warning',
      message:
        `no config file ${wanted}${searched}; ` +
        'the configuration comes from AOT_ environment variables alone',
    })
    return { baseDir: cwd }
  }
  const shown = displayName(found, cwd)
  if (!isAbsolute(wanted) && dirname(found) !== resolve(cwd, dirname(wanted))) {
    diagnostics.push({ severity: 'note', message: `using ${shown}, found in a parent directory` })
  }
  return { text: readText(found, shown, diagnostics), displayName: shown, baseDir: dirname(found) }
}

/** figment's lookup: a relative path is tried in `cwd`, then in each parent directory. */
export function findConfigFile(wanted: string, cwd: string): string | undefined {
  if (isAbsolute(wanted)) return isFile(wanted) ? wanted : undefined
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    const candidate = join(dir, wanted)
    if (isFile(candidate)) return candidate
    if (dirname(dir) === dir) return undefined
  }
}

function isFile(path: string): boolean {
  return existsSync(path) && statSync(path).isFile()
}

function displayName(absolute: string, cwd: string): string {
  const shown = relative(cwd, absolute)
  return shown === '' || isAbsolute(shown) ? absolute : shown
}

function readText(absolute: string, shown: string, diagnostics: Diagnostic[]): string | undefined {
  try {
    return readFileSync(absolute, 'utf8')
  } catch (error) {
    diagnostics.push({
      severity: 'error',
      message: `cannot read config file ${shown}: ${describeIoError(error)}`,
    })
    return undefined
  }
}

/** Mappings merge key by key (the environment wins); anything else is replaced whole. */
function applyOverride(doc: LocatedDocument, override: EnvOverride): void {
  const where: SourceLocation = { kind: 'env', variable: override.variable }
  const path: Path = []
  let parent: Mapping = doc.data
  for (const segment of override.path.slice(0, -1)) {
    path.push(segment)
    if (!isMapping(parent[segment]) || !Object.hasOwn(parent, segment)) {
      setChild(doc, parent, path, {}, where)
    }
    parent = parent[segment] as Mapping
  }
  mergeValue(doc, parent, [...path, override.path[override.path.length - 1]], override.value, where)
}

function mergeValue(
  doc: LocatedDocument,
  parent: Mapping,
  path: Path,
  value: unknown,
  where: SourceLocation,
): void {
  const key = path[path.length - 1] as string
  const existing = Object.hasOwn(parent, key) ? parent[key] : undefined
  if (isMapping(existing) && isMapping(value)) {
    for (const child of Object.keys(value))
      mergeValue(doc, existing, [...path, child], value[child], where)
    return
  }
  setChild(doc, parent, path, value, where)
}

/** Replaces the value at `path` (the last segment is a key of `parent`) and records its origin. */
function setChild(
  doc: LocatedDocument,
  parent: Mapping,
  path: Path,
  value: unknown,
  where: SourceLocation,
): void {
  const key = path[path.length - 1] as string
  const parentKey = pathKey(path.slice(0, -1))
  const order = doc.keyOrder.get(parentKey) ?? []
  if (!order.includes(key)) order.push(key)
  doc.keyOrder.set(parentKey, order)
  setOwn(parent, key, value)
  forgetBelow(doc, path)
  doc.origins.set(pathKey(path), { key: where })
  recordOrigin(doc, path, value, where)
}

/**
 * The deliberate deviation from the reference: a bare number or boolean that lands where the
 * schema wants a string, and not a number or boolean, becomes the text it was written as.
 */
function retypeAsText(doc: LocatedDocument, override: EnvOverride): void {
  for (const { path: inner, raw } of override.retypable) {
    const path: Path = [...override.path, ...inner]
    const origin = doc.origins.get(pathKey(path))?.value
    if (origin?.kind !== 'env' || origin.variable !== override.variable) continue // overridden later
    const value = valueAt(doc.data, path)
    const kind =
      typeof value === 'boolean' ? 'boolean' : Number.isInteger(value) ? 'integer' : 'number'
    const types = allowedTypes(schemasAt(doc.data, path))
    const fits = types.has(kind) || (kind === 'integer' && types.has('number'))
    if (fits || !types.has('string')) continue
    const parent = valueAt(doc.data, path.slice(0, -1))
    const last = path[path.length - 1]
    if (Array.isArray(parent) && typeof last === 'number') parent[last] = raw
    else if (isMapping(parent)) setOwn(parent, last as string, raw)
  }
}
