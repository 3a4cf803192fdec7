/** Argument parsing for every command: node's util.parseArgs, with its errors as usage errors. */
import { parseArgs, ParseArgsConfig } from 'node:util'

export class UsageError extends Error {}

type Options = NonNullable<ParseArgsConfig['options']>

export interface ParsedArgs {
  values: { [name: string]: string | boolean | undefined }
  positionals: string[]
}

/** `maxPositionals` positional arguments at most; `--help`/`-h` is always accepted. */
export function parseCommandArgs(
  args: string[],
  options: Options,
  maxPositionals: number,
): ParsedArgs {
  let parsed: ParsedArgs
  try {
    parsed = parseArgs({
      args,
      options: { ...options, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    }) as ParsedArgs
  } catch (error) {
    // parseArgs' messages end with advice about `--` that does not apply here.
    throw new UsageError((error as Error).message.replace(/\. To specify a positional.*$/s, ''))
  }
  if (!parsed.values.help && parsed.positionals.length > maxPositionals) {
    const extra = parsed.positionals
      .slice(maxPositionals)
      .map((arg) => `'${arg}'`)
      .join(', ')
    throw new UsageError(
      `unexpected argument${parsed.positionals.length - maxPositionals > 1 ? 's' : ''} ${extra}`,
    )
  }
  return parsed
}
