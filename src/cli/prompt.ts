/** Reading a password: hidden from a terminal, or all of a piped standard input. */
import type { CliIO } from './io'

export class PromptCancelled extends Error {}

/** The key handling of a hidden prompt, kept apart from the terminal so it can be tested. */
export interface LineEditor {
  text: string
  done: boolean
  cancelled: boolean
}

/**
 * Applies typed characters: Enter ends the line, Backspace/Delete removes the last character,
 * Ctrl-U clears, Ctrl-C cancels, Ctrl-D cancels an empty line or ends a non-empty one.
 */
export function applyKeys(editor: LineEditor, chunk: string): LineEditor {
  let { text, done, cancelled } = editor
  for (const char of chunk) {
    if (done || cancelled) break
    if (char === '\r' || char === '\n') done = true
    else if (char === '\u0003') cancelled = true
    else if (char === '\u0004') text === '' ? (cancelled = true) : (done = true)
    else if (char === '\u007f' || char === '\b') text = [...text].slice(0, -1).join('')
    else if (char === '\u0015') text = ''
    else if (char >= ' ') text += char
  }
  return { text, done, cancelled }
}

/** Prompts on `output` and reads one line from the terminal `input` without echo. */
export function readHidden(
  input: CliIO['stdin'],
  output: NodeJS.WritableStream,
  prompt: string,
): Promise<string> {
  output.write(prompt)
  input.setRawMode?.(true)
  input.setEncoding?.('utf8')
  input.resume()
  return new Promise((resolve, reject) => {
    let editor: LineEditor = { text: '', done: false, cancelled: false }
    const finish = () => {
      input.removeListener('data', onData)
      input.setRawMode?.(false)
      input.pause()
      output.write('\n')
    }
    const onData = (chunk: string | Buffer) => {
      editor = applyKeys(editor, chunk.toString())
      if (editor.cancelled) {
        finish()
        reject(new PromptCancelled())
      } else if (editor.done) {
        finish()
        resolve(editor.text)
      }
    }
    input.on('data', onData)
  })
}

export async function readAll(input: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of input)
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer))
  return Buffer.concat(chunks).toString('utf8')
}
