/**
 * The compiled config on QuickJS, which has no `js_preload_object`: there the file is named by
 * `js_var $authotron_config_file <path>;` and parsed once per JS context. QuickJS reuses a context
 * for many requests, so the parse is paid rarely; a reload starts new workers with new contexts.
 * A lazy unit (config-file.load.ts): the njs engine, which has the preloaded object, never
 * instantiates it.
 */
import type { CompiledConfig } from '../config/compiled'
import fs from 'fs'

let contextConfig: CompiledConfig | undefined
let contextConfigPath: string | undefined

/** The parsed file, or undefined when no file is named or it cannot be read (config-problem.ts says why). */
export function configFromFile(r: NginxHTTPRequest): CompiledConfig | undefined {
  const path = r.variables.authotron_config_file
  if (!path) return undefined
  if (contextConfig !== undefined && contextConfigPath === path) return contextConfig
  try {
    contextConfig = JSON.parse(fs.readFileSync(path, 'utf8') as string) as CompiledConfig
    contextConfigPath = path
    return contextConfig
  } catch (e) {
    return undefined
  }
}
