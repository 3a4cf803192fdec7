/** `authotron schema`: the JSON Schema of the accepted configuration (the reference's `--schema`). */
import { CONFIG_SCHEMA } from '../../compiler/schema'
import { parseCommandArgs } from '../args'
import { Command, EXIT_OK, writeLine } from '../io'

export const schemaCommand: Command = {
  name: 'schema',
  summary: 'print the JSON Schema (draft 2020-12) of the accepted config',
  help: `Usage: authotron schema

Prints the JSON Schema (draft 2020-12) of the configuration that \`authotron compile\`
accepts: the reference's v1.0.0 and v2.0.0 documents and this project's extensions.
Editors can use it to complete and check config.yaml.

Options:
  -h, --help  show this help`,

  async run(args, io) {
    const { values } = parseCommandArgs(args, {}, 0)
    writeLine(io.stdout, values.help ? this.help : JSON.stringify(CONFIG_SCHEMA, null, 2))
    return EXIT_OK
  },
}
