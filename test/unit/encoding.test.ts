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
