/**
 * The `authotron` command line (main.ts runs it; build.mjs bundles that to dist/cli.mjs):
 *
 *     authotron compile [CONFIG] -o OUT.json   config.yaml + AOT_ variables → the JSON nginx preloads
 *     authotron check [CONFIG]                 the same checks, nothing written
 *     authotron schema                         the JSON Schema of the accepted config
 *     authotron hash-password                  a password_hash for a plain provider user
 */
import { VERSION } from '../version'
import { UsageError } from './args'
import { checkCommand } from './commands/check'
import { compileCommand } from './commands/compile'
import { hashPasswordCommand } from './commands/hash-password'
import { ldapSyncCommand } from './commands/ldap-sync'
import { schemaCommand } from './commands/schema'
import { CliIO, Command, EXIT_OK, EXIT_USAGE, writeLine } from './io'

export const COMMANDS: Command[] = [
  compileCommand,
  checkCommand,
  schemaCommand,
  hashPasswordCommand,
  ldapSyncCommand,
]

export const TOP_LEVEL_HELP = `Usage: authotron <command> [options]

authotron-njs ${VERSION}: Auth-O-Tron inside NGINX. These commands prepare its configuration.

Commands:
${COMMANDS.map((command) => `  ${command.name.padEnd(15)}${command.summary}`).join('\n')}

Options:
  -h, --help     show this help (\`authotron <command> --help\` for a command's own)
  -V, --version  print the version

Exit status: 0 success, 1 invalid config or failed I/O, 2 usage error.`

export async function main(args: string[], io: CliIO): Promise<number> {
  const [first, ...rest] = args
  if (first === undefined || first === '-h' || first === '--help') {
    writeLine(first === undefined ? io.stderr : io.stdout, TOP_LEVEL_HELP)
    return first === undefined ? EXIT_USAGE : EXIT_OK
  }
  if (first === '-V' || first === '--version') {
    writeLine(io.stdout, VERSION)
    return EXIT_OK
  }
  if (first === 'help') return main(rest.length === 0 ? ['--help'] : [rest[0], '--help'], io)
  const command = COMMANDS.find((candidate) => candidate.name === first)
  try {
    if (command === undefined) throw new UsageError(`unknown command '${first}'`)
    return await command.run(rest, io)
  } catch (error) {
    if (!(error instanceof UsageError)) throw error
    writeLine(io.stderr, `authotron${command ? ` ${command.name}` : ''}: ${error.message}`)
    writeLine(io.stderr, `Try 'authotron ${command ? `${command.name} ` : ''}--help'.`)
    return EXIT_USAGE
  }
}
