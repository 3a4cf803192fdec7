import test from 'ava'
import fc from 'fast-check'
import { base64ToBytes, bytesToBase64, utf8ToBytes } from '../../../src/passwords/bytes'

const vectors: [string, number[]][] = [
  ['', []],
  ['AA==', [0]],
  ['/w==', [255]],
  ['AAE=', [0, 1]],
  ['+/8A', [0xfb, 0xff, 0x00]],
  ['Zm9vYmFy', [...Buffer.from('foobar')]],
]

for (const [text, bytes] of vectors) {
  test(`base64 ${JSON.stringify(text)} ↔ [${bytes.join(',')}]`, (t) => {
    t.deepEqual([...base64ToBytes(text)], bytes)
    t.is(bytesToBase64(new Uint8Array(bytes)), text)
  })
}

// The compiler writes every stored value in canonical padded form; anything else is corruption.
for (const broken of ['A', 'AAAAA', 'AA-_', 'AA A', 'AA\n=', 'ä===', 'AAE', 'AA', 'AB==', 'AA=A']) {
  test(`base64ToBytes throws on ${JSON.stringify(broken)}`, (t) => {
    t.throws(() => base64ToBytes(broken))
  })
}

test('base64 agrees with Buffer on arbitrary bytes', (t) => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 70 }), (bytes) => {
      const expected = Buffer.from(bytes).toString('base64')
      return (
        bytesToBase64(bytes) === expected &&
        Buffer.from(base64ToBytes(expected)).equals(Buffer.from(bytes))
      )
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
