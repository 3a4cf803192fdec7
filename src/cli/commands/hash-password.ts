/**
 * `authotron hash-password`: reads a password and prints it hashed for `password_hash`. From a
 * terminal it asks twice without echo; otherwise it reads standard input (one line).
 */
import { hashPassword } from '../../passwords/parse'
import { parseCommandArgs, UsageError } from '../args'
import { Command, EXIT_FAILURE, EXIT_OK, writeLine } from '../io'
import { readAll, readHidden, PromptCancelled } from '../prompt'

export const hashPasswordCommand: Command = {
  name: 'hash-password',
  summary: "hash a password for a plain provider user's password_hash",
  help: `Usage: authotron hash-password [--iterations N]

Reads a password and prints its hash ($pbkdf2-sha256$i=N$salt$hash), ready for the
\`password_hash\` key of a plain provider user.

From a terminal, asks for the password twice without echoing it. Otherwise reads
it from standard input: one line, its line ending removed.

  echo -n 's3cret' | authotron hash-password

Options:
  --iterations N  PBKDF2-SHA256 iterations (default 100000); more is slower for
                  attackers and for every uncached login alike
  -h, --help      show this help`,

  async run(args, io) {
    const { values } = parseCommandArgs(args, { iterations: { type: 'string' } }, 0)
    if (values.help) {
      writeLine(io.stdout, this.help)
      return EXIT_OK
    }
    let iterations: number | undefined
    if (values.iterations !== undefined) {
      iterations = Number(values.iterations)
      if (!/^[0-9]+$/.test(values.iterations as string) || iterations < 1) {
        throw new UsageError(
          `--iterations expects a positive whole number, got '${values.iterations}'`,
        )
      }
    }

    let password: string
    try {
      password = io.stdin.isTTY ? await askTwice(io) : passwordFromText(await readAll(io.stdin))
    } catch (error) {
      if (error instanceof PromptCancelled) {
        writeLine(io.stderr, 'authotron: cancelled')
        return EXIT_FAILURE
      }
      writeLine(io.stderr, `error: ${(error as Error).message}`)
      return EXIT_FAILURE
    }
    if (password === '') {
      writeLine(io.stderr, 'error: the password is empty')
      return EXIT_FAILURE
    }
    try {
      writeLine(io.stdout, hashPassword(password, { iterations }))
    } catch (error) {
      writeLine(io.stderr, `error: ${(error as Error).message}`)
      return EXIT_FAILURE
    }
    return EXIT_OK
  },
}

async function askTwice(io: Parameters<Command['run']>[1]): Promise<string> {
  const first = await readHidden(io.stdin, io.stderr, 'Password: ')
  const second = await readHidden(io.stdin, io.stderr, 'Again: ')
  if (first !== second) throw new Error('the two passwords differ')
  return first
}

/** Standard input holds one password: one line ending is removed, a second line is refused. */
export function passwordFromText(text: string): string {
  const line = text.replace(/\r?\n$/, '')
  if (/[\r\n]/.test(line))
    throw new Error('expected one password on standard input, found several lines')
  return line
}
