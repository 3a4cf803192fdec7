import test from 'ava'
import fc from 'fast-check'
import { decodeBase64url, isStrictBase64url } from '../../../src/jwt/base64url'

const cases: [string, boolean][] = [
  ['', true],
  ['AA', true],
  ['AB', false], // non-zero unused bits
  ['AAA', true],
  ['AAB', false],
  ['AAAA', true],
  ['A', false], // a lone symbol carries no byte
  ['AA==', false], // padding
  ['ab+/', false], // standard alphabet
  ['ab-_', true],
  ['a b', false],
  ['YQ\n', false],
]
for (const [text, strict] of cases) {
  test(`${JSON.stringify(text)} is ${strict ? '' : 'not '}strict base64url`, (t) => {
    t.is(isStrictBase64url(text), strict)
    t.is(decodeBase64url(text) !== undefined, strict)
  })
}

test('round trip: Node base64url output is strict and decodes to the same bytes', (t) => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
      const text = Buffer.from(bytes).toString('base64url')
      t.true(isStrictBase64url(text))
      t.deepEqual(decodeBase64url(text), new Uint8Array(bytes))
    }),
  )
})
