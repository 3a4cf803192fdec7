/**
 * Where a handler finds the compiled config: the `js_preload_object authotron_config` on the njs
 * engine, the file named by `$authotron_config_file` on QuickJS (config-file.ts). Only the working
 * case lives here (the module's top layer); why a config is unusable is told by config-problem.ts,
 * in the core.
 */
import { COMPILED_FORMAT, CompiledConfig } from '../config/compiled'
import loadConfigFile from './config-file.load'

/** Declared by `js_preload_object authotron_config from …;` in nginx's http{} block. */
declare const authotron_config: CompiledConfig | undefined

/** The config, or undefined when it is missing, unreadable or of another format version. */
export function loadConfig(r: NginxHTTPRequest): CompiledConfig | undefined {
  const config = typeof authotron_config !== 'undefined' ? authotron_config : loadConfigFile().configFromFile(r)
  return config !== undefined && config.format === COMPILED_FORMAT ? config : undefined
}
