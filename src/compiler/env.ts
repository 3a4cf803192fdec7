/**
 * `AOT_` environment variables as configuration overrides (authotron-behaviour.md §2.2):
 *
 *     AOT_JWT__SECRET=s3cret         jwt.secret = "s3cret"   (prefix any case, `__` nests, keys lower-cased)
 *     AOT_AUTH__TIMEOUT_IN_MS=3000   auth.timeout_in_ms = 3000
 *     AOT_PROVIDERS=[]               providers = []           (lists are replaced whole)
 *     AOT_JWT={iss=me, exp=60}       merged into jwt          (mappings merge)
 *
 * Values are typed like figment's (TOML-like): true/false, integers, floats (with a `.`), `[a, b]`,
 * `{k=v}`, `"quoted"` strings with escapes, anything else a plain string. Deliberately unlike the
 * reference, a number or boolean that lands on a string-typed key is read back as the text it was
 * written as (`AOT_JWT__SECRET=123456` is the string "123456"); that step needs the schema, so this
 * module only records which values were typed from bare text (`retypable`), and load.ts decides.
 */
import type { Diagnostic } from './diagnostics'
import type { Path } from './paths'
import { setOwn } from './paths'

export const ENV_PREFIX = 'AOT_'
/** Names the config file (§2.1); not a configuration key. */
export const CONFIG_PATH_VARIABLE = 'AOT_CONFIG_PATH'

export interface EnvOverride {
  variable: string
  /** Lower-cased key path, e.g. ['jwt', 'secret']. */
  path: string[]
  value: unknown
  /** Values inside `value` that were typed from bare text, with that text. */
  retypable: { path: Path; raw: string }[]
}

export type Environment = { [name: string]: string | undefined }

/**
 * Every `AOT_` variable as an override, applied shallow before deep (so `AOT_JWT__SECRET` wins over
 * a `secret` inside `AOT_JWT={…}`), then by name, whatever the order of the environment.
 */
export function readEnvOverrides(env: Environment): {
  overrides: EnvOverride[]
  diagnostics: Diagnostic[]
} {
  const overrides: EnvOverride[] = []
  const diagnostics: Diagnostic[] = []
  for (const variable of Object.keys(env).sort()) {
    const text = env[variable]
    if (text === undefined || variable.length <= ENV_PREFIX.length) continue
    if (variable.slice(0, ENV_PREFIX.length).toUpperCase() !== ENV_PREFIX) continue
    if (variable.toUpperCase() === CONFIG_PATH_VARIABLE) continue
    const path = variable.slice(ENV_PREFIX.length).toLowerCase().split('__')
    if (path.some((segment) => segment === '')) {
      diagnostics.push({
        severity: 'warning',
        where: { kind: 'env', variable },
        message: 'empty key between `__` separators; variable ignored',
      })
      continue
    }
    overrides.push({ variable, path, ...parseEnvValue(text) })
  }
  overrides.sort((a, b) => a.path.length - b.path.length)
  return { overrides, diagnostics }
}

/** Types one variable's value; text that does not parse as a list, table or quoted string stays text. */
export function parseEnvValue(text: string): {
  value: unknown
  retypable: { path: Path; raw: string }[]
} {
  const trimmed = text.trim()
  if (trimmed.startsWith('"') || trimmed.startsWith('[') || trimmed.startsWith('{')) {
    const parser = new ValueParser(trimmed)
    try {
      const value = parser.parseValue([], false)
      parser.skipSpaces()
      if (parser.atEnd()) return { value, retypable: parser.retypable }
    } catch (error) {
      if (!(error instanceof SyntaxError)) throw error
    }
    return { value: text, retypable: [] }
  }
  const typed = typeBareScalar(trimmed)
  return typed === undefined
    ? { value: text, retypable: [] }
    : { value: typed, retypable: [{ path: [], raw: trimmed }] }
}

const UNSIGNED_OR_SIGNED = /^[+-]?[0-9]+$/
const FLOAT = /^[+-]?(?:[0-9]+\.[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/

/** true/false, integers and floats containing a `.`; undefined for anything else (a string). */
function typeBareScalar(text: string): boolean | number | undefined {
  if (text === 'true') return true
  if (text === 'false') return false
  if (UNSIGNED_OR_SIGNED.test(text) || FLOAT.test(text)) return Number(text)
  return undefined
}

const ESCAPES: { [char: string]: string } = {
  '"': '"',
  '\\': '\\',
  n: '\n',
  t: '\t',
  r: '\r',
  '0': '\0',
  "'": "'",
}

class ValueParser {
  private position = 0
  readonly retypable: { path: Path; raw: string }[] = []

  constructor(private readonly text: string) {}

  atEnd(): boolean {
    return this.position >= this.text.length
  }

  skipSpaces(): void {
    while (!this.atEnd() && /\s/.test(this.text[this.position])) this.position++
  }

  /** A value; `nested` values end at `,`, `]` or `}`. */
  parseValue(path: Path, nested: boolean): unknown {
    this.skipSpaces()
    const char = this.text[this.position]
    if (char === '"') return this.parseQuoted()
    if (char === '[') return this.parseList(path)
    if (char === '{') return this.parseTable(path)
    if (!nested) throw new SyntaxError('bare value at top level')
    const raw = this.readBare(',]}')
    if (raw === '') throw new SyntaxError('empty value')
    const typed = typeBareScalar(raw)
    if (typed === undefined) return raw
    this.retypable.push({ path, raw })
    return typed
  }

  private parseList(path: Path): unknown[] {
    this.position++ // [
    const items: unknown[] = []
    for (;;) {
      this.skipSpaces()
      if (this.text[this.position] === ']') break
      items.push(this.parseValue([...path, items.length], true))
      this.skipSpaces()
      if (this.text[this.position] === ',') this.position++
      else if (this.text[this.position] !== ']') throw new SyntaxError('expected , or ]')
    }
    this.position++ // ]
    return items
  }

  private parseTable(path: Path): { [key: string]: unknown } {
    this.position++ // {
    const table: { [key: string]: unknown } = {}
    for (;;) {
      this.skipSpaces()
      if (this.text[this.position] === '}') break
      const key = this.text[this.position] === '"' ? this.parseQuoted() : this.readBare('=,}')
      this.skipSpaces()
      if (key === '' || this.text[this.position] !== '=')
        throw new SyntaxError('expected key=value')
      this.position++ // =
      setOwn(table, key, this.parseValue([...path, key], true))
      this.skipSpaces()
      if (this.text[this.position] === ',') this.position++
      else if (this.text[this.position] !== '}') throw new SyntaxError('expected , or }')
    }
    this.position++ // }
    return table
  }

  private parseQuoted(): string {
    this.position++ // "
    let value = ''
    while (!this.atEnd()) {
      const char = this.text[this.position++]
      if (char === '"') return value
      if (char !== '\\') {
        value += char
        continue
      }
      const escape = this.text[this.position++]
      if (escape === 'u') value += this.readUnicodeEscape()
      else if (escape !== undefined && Object.hasOwn(ESCAPES, escape)) value += ESCAPES[escape]
      else throw new SyntaxError(`unknown escape \\${escape}`)
    }
    throw new SyntaxError('unterminated string')
  }

  /** `\uXXXX` or `\u{X…}`. */
  private readUnicodeEscape(): string {
    const braced = /^\{([0-9a-fA-F]{1,6})\}/.exec(this.text.slice(this.position))
    const plain = /^[0-9a-fA-F]{4}/.exec(this.text.slice(this.position))
    const match = braced ?? plain
    if (match === null) throw new SyntaxError('bad \\u escape')
    const codePoint = parseInt(braced ? braced[1] : match[0], 16)
    if (codePoint > 0x10ffff) throw new SyntaxError('bad \\u escape')
    this.position += match[0].length
    return String.fromCodePoint(codePoint)
  }

  /** Text up to one of `stops`, trimmed. */
  private readBare(stops: string): string {
    const start = this.position
    while (!this.atEnd() && !stops.includes(this.text[this.position])) this.position++
    return this.text.slice(start, this.position).trim()
  }
}
