import test from 'ava'
import { parseAuthorization, normaliseScheme } from '../../../src/auth/header'
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
  t.deepEqual(parseAuthorization('Basic ' + 'A'.repeat(8192)), [{ scheme: 'Basic', credential: 'A'.repeat(8192) }])
})

test('scheme normalisation maps basic and plain to Basic, bearer to Bearer, others lower-cased', (t) => {
  t.is(normaliseScheme('PlAiN'), 'Basic')
  t.is(normaliseScheme('BASIC'), 'Basic')
  t.is(normaliseScheme('BEARER'), 'Bearer')
  t.is(normaliseScheme('EmailKey'), 'emailkey')
})
