/**
 * Where a handler finds the compiled config: the `js_preload_object authotron_config` on the njs
 * engine, the file named by `$authotron_config_file` on QuickJS. Only the working case lives here
 * (the module's top layer); why a config is unusable is told by config-problem.ts, in the core.
 */
import { COMPILED_FORMAT, CompiledConfig } from '../config/compiled'
import fs from 'fs'

/** Declared by `js_preload_object authotron_config from …;` in nginx's http{} block. */
declare const authotron_config: CompiledConfig | undefined

/** The config, or undefined when it is missing, unreadable or of another format version. */
export function loadConfig(r: NginxHTTPRequest): CompiledConfig | undefined {
  const config = typeof authotron_config !== 'undefined' ? authotron_config : configFile(r)
  return config !== undefined && config.format === COMPILED_FORMAT ? config : undefined
}

/**
 * QuickJS has no `js_preload_object`: there the compiled file is named by
 * `js_var $authotron_config_file <path>;` and parsed once per JS context. QuickJS reuses a context
 * for many requests, so the parse is paid rarely; a reload starts new workers with new contexts.
 */
let contextConfig: CompiledConfig | undefined
let contextConfigPath: string | undefined

function configFile(r: NginxHTTPRequest): CompiledConfig | undefined {
  const path = r.variables.authotron_config_file
  if (!path) return undefined
  if (contextConfig !== undefined && contextConfigPath === path) return contextConfig
  try {
    contextConfig = JSON.parse(fs.readFileSync(path, 'utf8') as string) as CompiledConfig
    contextConfigPath = path
    return contextConfig
  } catch (e) {
    // config-problem.ts says why in the error log.
    return undefined
  }
}
