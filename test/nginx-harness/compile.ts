/**
 * Config fixtures go through the real compiler, exactly as an operator runs it:
 * `node dist/cli.mjs compile <config.yaml> -o <config.json>`.
 */
import { execFile } from 'node:child_process'
import { chmodSync, chownSync, existsSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { AUTHOTRON_CLI } from './paths'

const run = promisify(execFile)

export interface CompileOptions {
  /**
   * Make the result readable by this group, as an operator must: the compiler writes 0600 (the
   * file holds the JWT secret), and on QuickJS nginx's workers read it. Applied when running as
   * root (nginx's master then switches its workers to an unprivileged user).
   */
  workerGroupId?: number
}

/** Writes `yamlText` to `<dir>/config.yaml`, compiles it to `<dir>/config.json`, returns that path. */
export async function compileConfig(
  yamlText: string,
  dir: string,
  options: CompileOptions = {},
): Promise<string> {
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
  shareWithWorkers(target, options)
  return target
}

/** Writes an already compiled config as-is (for tests of the module's own format checks). */
export function writeCompiledConfig(compiled: unknown, dir: string, options: CompileOptions = {}): string {
  const target = join(dir, 'config.json')
  writeFileSync(target, JSON.stringify(compiled), { mode: 0o600 })
  shareWithWorkers(target, options)
  return target
}

/** root:<worker group> 0640, like `chgrp www-data config.json && chmod 640 config.json`. */
function shareWithWorkers(path: string, { workerGroupId }: CompileOptions): void {
  if (workerGroupId === undefined || process.getuid?.() !== 0) return
  chownSync(path, 0, workerGroupId)
  chmodSync(path, 0o640)
}
