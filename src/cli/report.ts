/** How compile and check print what the compiler found: one prefixed line per problem, on stderr. */
import type { CompileResult } from '../compiler/compile'
import type { CompiledConfig } from '../config/compiled'
import { CliIO, writeLine } from './io'

export function printDiagnostics(
  result: CompileResult,
  io: CliIO,
  options: { quiet: boolean },
): void {
  for (const error of result.errors) writeLine(io.stderr, `error: ${error}`)
  for (const warning of result.warnings) writeLine(io.stderr, `warning: ${warning}`)
  if (!options.quiet) for (const note of result.notes) writeLine(io.stderr, `note: ${note}`)
}

/** `config 50d7552ce4452a84: 2 providers, 0 augmenters`. */
export function summary(config: CompiledConfig): string {
  const count = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`
  return `config ${config.configId}: ${count(config.providers.length, 'provider')}, ${count(config.augmenters.length, 'augmenter')}`
}

export function errorCount(result: CompileResult): string {
  const n = result.errors.length
  return `${n} error${n === 1 ? '' : 's'}`
}
