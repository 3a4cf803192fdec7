/**
 * What a command may touch, passed in rather than reached for, so commands run the same from
 * main.ts and from tests.
 */
import type { Environment } from '../compiler/env'

export interface CliIO {
  stdout: NodeJS.WritableStream
  stderr: NodeJS.WritableStream
  stdin: NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?: (mode: boolean) => unknown }
  env: Environment
  cwd: string
}

export const EXIT_OK = 0
/** The configuration is invalid, or a file could not be read or written. */
export const EXIT_FAILURE = 1
/** The command line itself is wrong. */
export const EXIT_USAGE = 2

export interface Command {
  name: string
  /** One line for the top-level help. */
  summary: string
  /** The text of `authotron <name> --help`. */
  help: string
  run(args: string[], io: CliIO): Promise<number>
}

export function writeLine(stream: NodeJS.WritableStream, text: string): void {
  stream.write(`${text}\n`)
}
