/**
 * Where a handler finds the compiled config: the `js_preload_object authotron_cfg` on the njs
 * engine; otherwise config-fallback.ts (the deprecated preload name, or on QuickJS the file named
 * by `$authotron_config_file`). Only the working case lives here (the module's top layer); why a
 * config is unusable is told by config-problem.ts, in the core.
 *
 * The name has 13 characters on purpose: njs 0.7.9 leaks ~17 bytes per request for every
 * preloaded object whose name is longer than 14 (docs/benchmarks.md, "Worker memory").
 */
import { COMPILED_FORMAT, CompiledConfig } from '../config/compiled'
import loadConfigFallback from './config-fallback.load'

/** Declared by `js_preload_object authotron_cfg from …;` in nginx's http{} block. */
declare const authotron_cfg: CompiledConfig | undefined

/** The config, or undefined when it is missing, unreadable or of another format version. */
export function loadConfig(r: NginxHTTPRequest): CompiledConfig | undefined {
  const config = typeof authotron_cfg !== 'undefined' ? authotron_cfg : loadConfigFallback().fallbackConfig(r)
  return config !== undefined && config.format === COMPILED_FORMAT ? config : undefined
}
