import test from 'ava'
import fc from 'fast-check'
import { base64ToBytes, bytesToUtf8Strict, isStrictBase64, utf8ToBase64url, utf8ToBytes } from '../../src/encoding'

const strict: [string, boolean][] = [
  ['dGVzdF91c2VyOnNlY3JldDEyMw==', true],
  ['YQ==', true],
  ['YWI=', true],
  ['YWJj', true],
  ['', true],
  ['YR==', false], // non-zero trailing bits
  ['YWJ=', false], // non-zero trailing bits
  ['YQ', false], // missing padding
  ['YQ=', false],
  ['YQ===', false],
  ['YW Jj', false], // embedded whitespace
  ['YWJj\n', false],
  ['-_-_', false], // URL-safe alphabet
  ['YWJj=', false],
  ['=YWJ', false],
  ['Y===', false],
  ['====', false],
  ['AA=A', false], // a pad before a symbol
  ['AB=C', false],
  ['AAA=AAA=', false], // padding in the middle
  ['AA==AA==', false],
  ['AAAA', true],
  ['AAAAAA==', true],
  ['AAAAAAA=', true],
  ['A\u0000AA', false],
  ['QUJD\u00e9', false],
]

for (const [text, expected] of strict) {
  test(`isStrictBase64(${JSON.stringify(text)}) is ${expected}`, (t) => {
    t.is(isStrictBase64(text), expected)
  })
}

test('every canonical encoding is accepted; any other rendering of the same bytes is not', (t) => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
      const canonical = Buffer.from(bytes).toString('base64')
      return isStrictBase64(canonical) && (canonical.endsWith('=') ? !isStrictBase64(canonical.replace(/=+$/, '')) : true)
    }),
  )
  t.pass()
})

/**
 * The pattern isStrictBase64 used before issue 19, with its trailing-bits check: the model the flat
 * check must agree with on every input (it was correct, only slow on the njs engine).
 */
function strictBase64Model(text: string): boolean {
  if (!/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(text)) return false
  const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0
  if (padding === 0) return true
  const lastSymbol = BASE64_SYMBOLS.indexOf(text.charAt(text.length - padding - 1))
  return (lastSymbol & (padding === 1 ? 0x03 : 0x0f)) === 0
}
const BASE64_SYMBOLS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'

// Mostly base64 symbols and pads (so that many inputs are near-valid), some bytes that are not.
const nearBase64 = fc.string({
  unit: fc.oneof(
    { weight: 8, arbitrary: fc.constantFrom(...BASE64_SYMBOLS.split('')) },
    { weight: 3, arbitrary: fc.constant('=') },
    { weight: 1, arbitrary: fc.constantFrom('-', '_', ' ', '\t', '\n', '\0', '.', 'é', '\u{1F600}') },
  ),
  maxLength: 24,
})

test('isStrictBase64 accepts exactly what the old strict pattern accepted', (t) => {
  fc.assert(fc.property(nearBase64, (text) => isStrictBase64(text) === strictBase64Model(text)), { numRuns: 20000 })
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 48 }), fc.nat(), fc.string({ maxLength: 3 }), (bytes, at, edit) => {
      // A canonical encoding with a few characters spliced in somewhere.
      const canonical = Buffer.from(bytes).toString('base64')
      const position = at % (canonical.length + 1)
      const text = canonical.slice(0, position) + edit + canonical.slice(position + edit.length)
      return isStrictBase64(text) === strictBase64Model(text)
    }),
    { numRuns: 20000 },
  )
  t.pass()
})

test('isStrictBase64 runs in linear time: 64 KB of hostile input is checked in well under a millisecond each', (t) => {
  const hostile = ['A'.repeat(65535) + '!', 'A'.repeat(65533) + '=A=', '='.repeat(65536), 'AAA='.repeat(16384) + 'A']
  const started = process.hrtime.bigint()
  for (let round = 0; round < 10; round++) for (const text of hostile) t.false(isStrictBase64(text))
  const perCheckMs = Number(process.hrtime.bigint() - started) / 1e6 / (10 * hostile.length)
  t.true(perCheckMs < 5, `${perCheckMs.toFixed(3)} ms per check`)
})

test('strict UTF-8: invalid sequences are refused, valid ones decoded', (t) => {
  t.is(bytesToUtf8Strict(new Uint8Array([0x61, 0xc3, 0xa9])), 'aé')
  t.is(bytesToUtf8Strict(new Uint8Array([0xff, 0x61])), undefined)
  t.is(bytesToUtf8Strict(new Uint8Array([0xc3])), undefined)
  t.is(bytesToUtf8Strict(new Uint8Array([0xed, 0xa0, 0x80])), undefined) // a lone surrogate
})

test('base64url without padding', (t) => {
  t.is(utf8ToBase64url('{"typ":"JWT","alg":"HS256"}'), 'eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9')
  t.is(utf8ToBase64url('\u00ff\u00fe?'), Buffer.from('\u00ff\u00fe?').toString('base64url'))
})

const vectors: [string, number[]][] = [
  ['', []],
  ['AA==', [0]],
  ['/w==', [255]],
  ['AAE=', [0, 1]],
  ['+/8A', [0xfb, 0xff, 0x00]],
  ['Zm9vYmFy', [...Buffer.from('foobar')]],
]

for (const [text, bytes] of vectors) {
  test(`base64ToBytes ${JSON.stringify(text)} → [${bytes.join(',')}]`, (t) => {
    t.deepEqual([...base64ToBytes(text)], bytes)
  })
}

// The compiler writes every stored value in canonical padded form; anything else is corruption.
for (const broken of ['A', 'AAAAA', 'AA-_', 'AA A', 'AA\n=', 'ä===', 'AAE', 'AA', 'AB==', 'AA=A']) {
  test(`base64ToBytes throws on ${JSON.stringify(broken)}`, (t) => {
    t.throws(() => base64ToBytes(broken))
  })
}

test('base64ToBytes agrees with Buffer on arbitrary bytes', (t) => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 70 }), (bytes) => {
      const expected = Buffer.from(bytes).toString('base64')
      return Buffer.from(base64ToBytes(expected)).equals(Buffer.from(bytes))
    }),
  )
  t.pass()
})

test('utf8ToBytes agrees with Buffer', (t) => {
  fc.assert(
    fc.property(fc.string({ unit: 'grapheme' }), (text) =>
      Buffer.from(utf8ToBytes(text)).equals(Buffer.from(text, 'utf8')),
    ),
  )
  t.pass()
})
