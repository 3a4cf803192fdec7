/**
 * Config fixtures go through the real compiler, exactly as an operator runs it:
 * `node dist/cli.mjs compile <config.yaml> -o <config.json>`.
 */
import { execFile } from 'node:child_process'
import { existsSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { AUTHOTRON_CLI } from './paths'

const run = promisify(execFile)

/** Writes `yamlText` to `<dir>/config.yaml`, compiles it to `<dir>/config.json`, returns that path. */
export async function compileConfig(yamlText: string, dir: string): Promise<string> {
  if (!existsSync(AUTHOTRON_CLI)) {
    throw new Error(`${AUTHOTRON_CLI} is missing. Fix: npm run build`)
  }
  const source = join(dir, 'config.yaml')
  const target = join(dir, 'config.json')
  writeFileSync(source, yamlText)
  try {
    await run(process.execPath, [AUTHOTRON_CLI, 'compile', source, '-o', target], { timeout: 30_000 })
  } catch (error) {
    const { stderr, stdout, message } = error as { stderr?: string; stdout?: string; message: string }
    throw new Error(`authotron compile ${source} failed:\n${stderr || stdout || message}`)
  }
  if (!existsSync(target)) throw new Error(`authotron compile ${source} wrote no ${target}`)
  return target
}

/** Writes an already compiled config as-is (for tests of the module's own format checks). */
export function writeCompiledConfig(compiled: unknown, dir: string): string {
  const target = join(dir, 'config.json')
  writeFileSync(target, JSON.stringify(compiled))
  return target
}
