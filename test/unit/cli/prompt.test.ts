import test from 'ava'
import { passwordFromText } from '../../../src/cli/commands/hash-password'
import { applyKeys, LineEditor } from '../../../src/cli/prompt'

const start: LineEditor = { text: '', done: false, cancelled: false }
const type = (...chunks: string[]) => chunks.reduce(applyKeys, start)

test('hidden prompt: typing, backspace, Ctrl-U, Enter', (t) => {
  t.deepEqual(type('se', 'cx\u007fret', '\r', 'ignored'), {
    text: 'secret',
    done: true,
    cancelled: false,
  })
  t.deepEqual(type('wrong\u0015right\n'), { text: 'right', done: true, cancelled: false })
  t.deepEqual(
    type('pä😀\u007f\r'),
    { text: 'pä', done: true, cancelled: false },
    'one character, not one code unit',
  )
})

test('hidden prompt: Ctrl-C cancels; Ctrl-D cancels an empty line and ends a non-empty one', (t) => {
  t.true(type('abc\u0003').cancelled)
  t.true(type('\u0004').cancelled)
  t.deepEqual(type('abc\u0004'), { text: 'abc', done: true, cancelled: false })
  t.is(type('a\u001b[Ab\r').text, 'a[Ab', 'control characters are dropped, printable ones kept')
})

test('standard input: one line ending removed; several lines refused', (t) => {
  t.is(passwordFromText('s3cret\n'), 's3cret')
  t.is(passwordFromText('s3cret\r\n'), 's3cret')
  t.is(passwordFromText(' spaces kept '), ' spaces kept ')
  t.throws(() => passwordFromText('a\nb\n'), {
    message: 'expected one password on standard input, found several lines',
  })
})
