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

test('isStrictBase64url agrees with the whole-match pattern it replaced (issue 19: a negated class search)', (t) => {
  const model = (text: string) => {
    if (!/^[A-Za-z0-9_-]*$/.test(text)) return false
    const tail = text.length % 4
    if (tail === 0) return true
    if (tail === 1) return false
    const last = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'.indexOf(text.charAt(text.length - 1))
    return (last & (tail === 2 ? 0x0f : 0x03)) === 0
  }
  const unit = fc.oneof(
    { weight: 9, arbitrary: fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'.split('')) },
    { weight: 1, arbitrary: fc.constantFrom('+', '/', '=', '.', ' ', '\n', '\0', 'é') },
  )
  fc.assert(fc.property(fc.string({ unit, maxLength: 24 }), (text) => isStrictBase64url(text) === model(text)), { numRuns: 20000 })
  t.pass()
})
