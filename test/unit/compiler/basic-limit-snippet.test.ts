/**
 * The nginx map that finds a Basic credential over auth.max_basic_length (issue 19), as
 * `authotron compile --nginx-snippets` writes it: its patterns (run here by JavaScript's engine, which
 * reads these PCRE patterns the same way) match exactly the headers the grammar refuses as too long,
 * and no header it accepts.
 */
import test from 'ava'
import fc from 'fast-check'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { basicLimitMap, basicLimitSnippet } from '../../../src/compiler/basic-limit-snippet'
import { DEFAULT_MAX_BASIC_LENGTH, parseAuthorization } from '../../../src/auth/header'
import { ErrorCode, errorCode } from '../../../src/errors'
import { compileText, configText } from './support'

/** The map's value for `header`, as nginx computes it: the first matching pattern's, else the default. */
function mapValue(map: string, header: string): string {
  const entries = [...map.matchAll(/^ {4}"(~\*?)((?:[^"\\]|\\.)*)" (\d+);$/gm)]
  if (entries.length === 0) throw new Error('no pattern in the map')
  for (const [, operator, source, value] of entries) {
    // nginx turns `\t` in a quoted string into a tab; the pattern reads it either way.
    if (new RegExp(source.replaceAll('\\t', '\t'), operator === '~*' ? 'i' : '').test(header)) return value
  }
  return ''
}

function grammarCode(header: string, limit: number): string | undefined {
  try {
    parseAuthorization(header, limit)
    return undefined
  } catch (e) {
    return errorCode(e)
  }
}

test('table cases: any part, either scheme name in any case, any gap; never a credential within the limit or another scheme', (t) => {
  const limit = 100
  const map = basicLimitMap(limit)
  const over = 'a'.repeat(limit + 1)
  const at = 'a'.repeat(limit)
  for (const header of [`Basic ${over}`, `BASIC\t\t ${over}`, `plain ${over}`, `Bearer x, Basic ${over}`, `Bearer x,basic  ${over}`, `Basic ${over}, Basic Zm9v`, `Basic Zm9v, Bearer y, Basic ${over}`]) {
    t.is(mapValue(map, header), String(limit), header.slice(0, 30))
    t.is(grammarCode(header, limit), ErrorCode.CredentialTooLong)
  }
  for (const header of [`Basic ${at}`, `Bearer ${over}`, `Basicx ${over}`, `xBasic ${over}`, `Bearer x${'Basic ' + over}`, `Basic ${at}, Bearer ${over}`, `Basic ${' '.repeat(limit * 2)}${at}`])
    t.is(mapValue(map, header), '', header.slice(0, 30))
})

test('the map matches exactly the headers the grammar refuses as too long, and refuses none it accepts (fast-check)', (t) => {
  const piece = fc.constantFrom('Basic', 'basic', 'PLAIN', 'Bearer', 'Negotiate', ' ', '\t', ',', ', ', 'a', 'Zm9v', '=', 'x'.repeat(40))
  const header = fc.array(piece, { maxLength: 14 }).map((pieces) => pieces.join('').trim())
  const maps = new Map<number, string>()
  fc.assert(
    fc.property(header, fc.integer({ min: 1, max: 90 }), (value, limit) => {
      if (!maps.has(limit)) maps.set(limit, basicLimitMap(limit))
      const matched = mapValue(maps.get(limit)!, value) === String(limit)
      const code = grammarCode(value, limit)
      // Refused as too long ⇒ matched (the grammar reads at most three distinct parts, the map all).
      if (code === ErrorCode.CredentialTooLong && !matched) return false
      // Matched ⇒ refused (too long, or a third token after the long run, or too many parts).
      return !matched || code !== undefined
    }),
    { numRuns: 3000 },
  )
  t.pass()
})

test('limits above what a PCRE repeat takes are written in pieces', (t) => {
  const map = basicLimitMap(65536)
  t.true(map.includes('[^ \\t,]{65535}[^ \\t,]{2}" 65536;'))
  t.false(/\{(6553[6-9]|65[6-9]\d\d|6[6-9]\d{3}|[7-9]\d{4}|\d{6,})\}/.test(map))
})

test('nginx/authotron-basic-limit.conf is the map for the default limit; the generated file names its config and limit', async (t) => {
  const shipped = readFileSync(fileURLToPath(new URL('../../../nginx/authotron-basic-limit.conf', import.meta.url)), 'utf8')
  t.true(shipped.endsWith(basicLimitMap(DEFAULT_MAX_BASIC_LENGTH)))
  const config = compileText(configText() + 'auth: {max_basic_length: 300}\n').config!
  const generated = basicLimitSnippet(config, { generator: 'authotron-njs test' })
  t.true(generated.includes(`for config ${config.configId}.`))
  t.true(generated.endsWith(basicLimitMap(300)))
})
