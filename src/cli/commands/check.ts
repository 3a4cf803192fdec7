/** `authotron check [CONFIG]`: compile without writing; exit 0 when valid, 1 when not. */
import { compileConfig } from '../../compiler/compile'
import { parseCommandArgs } from '../args'
import { Command, EXIT_FAILURE, EXIT_OK, writeLine } from '../io'
import { errorCount, printDiagnostics, summary } from '../report'

export const checkCommand: Command = {
  name: 'check',
  summary: 'validate a config without writing anything',
  help: `Usage: authotron check [CONFIG]

Runs every check of \`authotron compile\` on CONFIG and the AOT_ environment variables,
and writes nothing. CONFIG is found as by \`authotron compile\`.

Errors, warnings and notes go to standard error; the verdict goes to standard output.

Options:
  -q, --quiet  do not print notes
  -h, --help   show this help

Exit status: 0 valid, 1 invalid, 2 usage error.`,

  async run(args, io) {
    const { values, positionals } = parseCommandArgs(
      args,
      { quiet: { type: 'boolean', short: 'q' } },
      1,
    )
    if (values.help) {
      writeLine(io.stdout, this.help)
      return EXIT_OK
    }
    const result = compileConfig({ path: positionals[0], env: io.env, cwd: io.cwd })
    printDiagnostics(result, io, { quiet: values.quiet === true })
    const name = result.source ?? 'config'
    if (result.config === undefined) {
      writeLine(io.stdout, `${name}: invalid (${errorCount(result)})`)
      return EXIT_FAILURE
    }
    writeLine(io.stdout, `${name}: valid (${summary(result.config)})`)
    return EXIT_OK
  },
}
