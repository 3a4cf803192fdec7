import test from 'ava'
import fc from 'fast-check'
import {
  BASIC_SCHEME_HEADS,
  DEFAULT_MAX_BASIC_LENGTH,
  FAST_REFUSAL_MIN_LENGTH,
  leadingBasicTooLong,
  normaliseScheme,
  parseAuthorization,
  visibleAsciiOrUndefined,
} from '../../../src/auth/header'
import { errorCode, ErrorCode } from '../../../src/errors'

function codeOf(header: string | undefined): string | undefined {
  try {
    parseAuthorization(header)
    return undefined
  } catch (e) {
    return errorCode(e)
  }
}

// §3.2 worked examples and the grammar's edges, one row each.
const accepted: [string, { scheme: string; credential: string }[]][] = [
  ['Basic abc', [{ scheme: 'Basic', credential: 'abc' }]],
  ['basic abc', [{ scheme: 'Basic', credential: 'abc' }]],
  ['PLAIN abc', [{ scheme: 'Basic', credential: 'abc' }]],
  ['Bearer t', [{ scheme: 'Bearer', credential: 't' }]],
  ['bEaReR t', [{ scheme: 'Bearer', credential: 't' }]],
  ['  Basic   abc  ', [{ scheme: 'Basic', credential: 'abc' }]],
  ['Basic\tabc', [{ scheme: 'Basic', credential: 'abc' }]],
  ['Basic a, Basic b, Basic c', [{ scheme: 'Basic', credential: 'c' }]],
  ['Basic X, Basic X', [{ scheme: 'Basic', credential: 'X' }]],
  ['Basic X, basic X', [{ scheme: 'Basic', credential: 'X' }]],
  ['Basic X,Basic X,Basic X,Basic X', [{ scheme: 'Basic', credential: 'X' }]],
  ['Token abc', [{ scheme: 'token', credential: 'abc' }]],
  [
    'Bearer t, Basic b',
    [
      { scheme: 'Bearer', credential: 't' },
      { scheme: 'Basic', credential: 'b' },
    ],
  ],
  [
    'Basic a, Bearer t, Basic b',
    [
      { scheme: 'Basic', credential: 'b' },
      { scheme: 'Bearer', credential: 't' },
    ],
  ],
  [
    'Digest x, Basic b',
    [
      { scheme: 'digest', credential: 'x' },
      { scheme: 'Basic', credential: 'b' },
    ],
  ],
]

for (const [header, expected] of accepted) {
  test(`accepts ${JSON.stringify(header)}`, (t) => {
    t.deepEqual(parseAuthorization(header), expected)
  })
}

const rejected: [string | undefined, string][] = [
  [undefined, ErrorCode.HeaderMissing],
  ['', ErrorCode.HeaderMissing],
  ['   ', ErrorCode.HeaderMissing],
  ['\t', ErrorCode.HeaderMissing],
  ['Basic a, Basic b, Basic c, Basic d', ErrorCode.HeaderInvalid],
  ['InvalidFormat', ErrorCode.HeaderInvalid],
  ['Bearer t,', ErrorCode.HeaderInvalid],
  [',', ErrorCode.HeaderInvalid],
  ['Basic a,,Basic b', ErrorCode.HeaderInvalid],
  ['Basic a b', ErrorCode.HeaderInvalid],
  ['Basic', ErrorCode.HeaderInvalid],
  ['Basic good, Garbage', ErrorCode.HeaderInvalid],
  // Not visible ASCII: treated as absent (§3.1).
  ['Basic dGVzdA==\u0000', ErrorCode.HeaderMissing],
  ['Basic caf\u00e9', ErrorCode.HeaderMissing],
  ['Basic \u2603', ErrorCode.HeaderMissing],
  ['Basic a\r\nX: y', ErrorCode.HeaderMissing],
]

for (const [header, code] of rejected) {
  test(`rejects ${JSON.stringify(header)} with ${code}`, (t) => {
    t.is(codeOf(header), code)
  })
}

test('a fourth unique part fails even when an earlier one is valid', (t) => {
  t.is(codeOf('Basic a, Basic b, Basic valid, Basic c'), ErrorCode.HeaderInvalid)
})

test('an 8 KB header of garbage is an invalid header, not a crash', (t) => {
  t.is(codeOf('x'.repeat(8192)), ErrorCode.HeaderInvalid)
  t.deepEqual(parseAuthorization('Basic ' + 'A'.repeat(8192), 8192), [{ scheme: 'Basic', credential: 'A'.repeat(8192) }])
  t.is(codeOf('Basic ' + 'A'.repeat(8192)), ErrorCode.CredentialTooLong)
})

test('hostile 64 KB shapes parse in linear time (long whitespace runs, 10,000 commas, a control byte at the end)', (t) => {
  const hostile = [
    'Basic' + ' \t'.repeat(32768) + 'abc',
    'Basic' + ' '.repeat(65536) + 'a b',
    ','.repeat(10000) + 'Basic abc',
    'Basic abc,'.repeat(6000),
    'Basic ' + 'A'.repeat(65536) + '\u0000',
  ]
  const started = process.hrtime.bigint()
  for (const header of hostile) codeOf(header)
  const perHeaderMs = Number(process.hrtime.bigint() - started) / 1e6 / hostile.length
  t.deepEqual(parseAuthorization(hostile[0]), [{ scheme: 'Basic', credential: 'abc' }])
  t.is(codeOf(hostile[1]), ErrorCode.HeaderInvalid)
  t.is(codeOf(hostile[4]), ErrorCode.HeaderMissing)
  t.true(perHeaderMs < 20, `${perHeaderMs.toFixed(3)} ms per header`)
})

test('scheme normalisation maps basic and plain to Basic, bearer to Bearer, others lower-cased', (t) => {
  t.is(normaliseScheme('PlAiN'), 'Basic')
  t.is(normaliseScheme('BASIC'), 'Basic')
  t.is(normaliseScheme('BEARER'), 'Bearer')
  t.is(normaliseScheme('EmailKey'), 'emailkey')
})

// The splitter is hand-written (njs runs split(/\s+/) as one regex execution per character): it
// must agree with split(/\s+/) on every mix of spaces, tabs and commas.
test('scheme/credential splitting agrees with split(/\\s+/) on generated headers', (t) => {
  const pieces = ['Basic', 'Bearer', 'x', 'a.b-c', ' ', '  ', '\t', ' \t ', ',', '']
  let seed = 7
  const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648)
  for (let n = 0; n < 3000; n++) {
    let header = ''
    for (let k = 0, len = 1 + (next() % 7); k < len; k++) header += pieces[next() % pieces.length]
    let expected: string | { scheme: string; credential: string }[]
    try {
      expected = referenceParse(header)
    } catch (e) {
      expected = errorCode(e) as string
    }
    let actual: string | { scheme: string; credential: string }[]
    try {
      actual = parseAuthorization(header)
    } catch (e) {
      actual = errorCode(e) as string
    }
    t.deepEqual(actual, expected, JSON.stringify(header))
  }
})

/** parseAuthorization as it was written with split(/\s+/), for the comparison above. */
function referenceParse(value: string) {
  if (value.trim() === '') throw Object.assign(new Error(), { code: ErrorCode.HeaderMissing })
  const seen: string[] = []
  const credentials: { scheme: string; credential: string }[] = []
  for (const raw of value.split(',')) {
    const part = raw.trim()
    if (seen.includes(part)) continue
    seen.push(part)
    if (seen.length > 3) throw Object.assign(new Error(), { code: ErrorCode.HeaderInvalid })
    const tokens = part === '' ? [] : part.split(/\s+/)
    if (tokens.length !== 2) throw Object.assign(new Error(), { code: ErrorCode.HeaderInvalid })
    const scheme = normaliseScheme(tokens[0])
    const existing = credentials.find((c) => c.scheme === scheme)
    if (existing) existing.credential = tokens[1]
    else credentials.push({ scheme, credential: tokens[1] })
  }
  return credentials
}

test('the visible-ASCII check agrees with the whole-match pattern it replaced', (t) => {
  const unit = fc.oneof(
    { weight: 9, arbitrary: fc.integer({ min: 0x20, max: 0x7e }).map((code) => String.fromCharCode(code)) },
    { weight: 1, arbitrary: fc.constantFrom('\t', '\n', '\r', '\0', '\x7f', '\x80', 'é', '\u2028') },
  )
  fc.assert(
    fc.property(fc.string({ unit, maxLength: 40 }), (value) => {
      const model = /^[\t\x20-\x7e]*$/.test(value) ? value : undefined
      return visibleAsciiOrUndefined(value) === model
    }),
    { numRuns: 20000 },
  )
  t.pass()
})

// auth.max_basic_length (issue 19): a Basic credential over the limit is refused by its length.
const LIMIT = 100
const longCode = (header: string) => {
  try {
    parseAuthorization(header, LIMIT)
    return undefined
  } catch (e) {
    return errorCode(e)
  }
}

test('a Basic credential over auth.max_basic_length is refused with ERR_CREDENTIAL_TOO_LONG, in any part; Bearer is not limited', (t) => {
  const at = 'a'.repeat(LIMIT)
  const over = 'a'.repeat(LIMIT + 1)
  t.is(longCode(`Basic ${at}`), undefined)
  t.is(longCode(`Basic ${over}`), ErrorCode.CredentialTooLong)
  t.is(longCode(`plain ${over}`), ErrorCode.CredentialTooLong)
  t.is(longCode(`Bearer x, Basic ${over}`), ErrorCode.CredentialTooLong)
  // Replaced by a later Basic credential or not: the long one is refused.
  t.is(longCode(`Basic ${over}, Basic abc`), ErrorCode.CredentialTooLong)
  t.is(longCode(`Bearer ${'a'.repeat(LIMIT * 50)}`), undefined)
  // The gap after the scheme does not count.
  t.is(longCode(`Basic ${' '.repeat(LIMIT * 2)}${at}`), undefined)
  // The default limit: 1024 characters.
  t.is(codeOf(`Basic ${'a'.repeat(DEFAULT_MAX_BASIC_LENGTH)}`), undefined)
  t.is(codeOf(`Basic ${'a'.repeat(DEFAULT_MAX_BASIC_LENGTH + 1)}`), ErrorCode.CredentialTooLong)
})

test('the top layer looks for the default limit plus `Basic ` (a literal, for the bundle to inline)', (t) => {
  t.is(FAST_REFUSAL_MIN_LENGTH, DEFAULT_MAX_BASIC_LENGTH + 'Basic '.length)
  for (const head of ['basic ', 'basic\t', 'plain ', 'plain\t']) t.not(BASIC_SCHEME_HEADS.indexOf(head), -1)
  t.is(BASIC_SCHEME_HEADS.indexOf('bearer'), -1)
})

test('leadingBasicTooLong: table cases', (t) => {
  const over = 'a'.repeat(LIMIT + 1)
  t.true(leadingBasicTooLong(`Basic ${over}`, LIMIT))
  t.true(leadingBasicTooLong(`BASIC\t\t ${over}`, LIMIT))
  t.true(leadingBasicTooLong(`Plain ${over}, Bearer x`, LIMIT))
  t.false(leadingBasicTooLong(`Basic ${'a'.repeat(LIMIT)}`, LIMIT))
  t.false(leadingBasicTooLong(`Bearer ${over}`, LIMIT))
  t.false(leadingBasicTooLong(`Bearer x, Basic ${over}`, LIMIT), 'a later part is the grammar\'s')
  t.false(leadingBasicTooLong(`Basic abc${' '.repeat(LIMIT)}, Bearer x`, LIMIT))
  t.false(leadingBasicTooLong(`Basicx ${over}`, LIMIT))
  // A gap longer than the window's allowance (64): the whole rest is read.
  t.true(leadingBasicTooLong(`Basic ${' '.repeat(200)}${over}`, LIMIT))
  t.false(leadingBasicTooLong(`Basic ${' '.repeat(200)}${'a'.repeat(LIMIT)}`, LIMIT))
  t.true(leadingBasicTooLong(`Basic ${' \t'.repeat(32)}${over}`, LIMIT))
  t.false(leadingBasicTooLong(`Basic ${' '.repeat(63)}${'a'.repeat(LIMIT)}, Bearer x`, LIMIT))
})

test('leadingBasicTooLong says yes only to headers the grammar refuses (fast-check)', (t) => {
  const piece = fc.constantFrom('Basic', 'basic', 'Plain', 'Bearer', ' ', '\t', ' '.repeat(30), ',', 'a', 'Zm9v', '=', 'x'.repeat(40))
  const header = fc.array(piece, { maxLength: 12 }).map((pieces) => pieces.join(''))
  fc.assert(
    fc.property(header, fc.integer({ min: 1, max: 60 }), (text, limit) => {
      const value = text.trim()
      if (!leadingBasicTooLong(value, limit)) return true
      try {
        parseAuthorization(value, limit)
        return false
      } catch (e) {
        return errorCode(e) === ErrorCode.CredentialTooLong || errorCode(e) === ErrorCode.HeaderInvalid
      }
    }),
    { numRuns: 3000 },
  )
  t.pass()
})

