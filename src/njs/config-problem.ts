/**
 * Why the compiled config cannot be used, written to the error log: the core's half of
 * config-source.ts, run only when the top layer found no usable config (the answer is then 500).
 */
import { COMPILED_FORMAT, CompiledConfig } from '../config/compiled'
import { ErrorCode } from '../errors'
import fs from 'fs'

declare const authotron_cfg: CompiledConfig | undefined
/** The deprecated name (config-fallback.ts). */
declare const authotron_config: CompiledConfig | undefined

export function reportConfigProblem(r: NginxHTTPRequest): void {
  let config: CompiledConfig | undefined =
    typeof authotron_cfg !== 'undefined'
      ? authotron_cfg
      : typeof authotron_config !== 'undefined'
        ? authotron_config
        : undefined
  if (config === undefined) {
    const path = r.variables.authotron_config_file
    if (!path) {
      r.error(
        'authotron: ' + ErrorCode.ConfigFormat + ' no compiled config: add ' +
          '`js_preload_object authotron_cfg from <file>.json;` (njs engine) and ' +
          '`js_var $authotron_config_file <file>.json;` (QuickJS engine) to http{}, ' +
          'with the file `authotron compile` writes',
      )
      return
    }
    try {
      config = JSON.parse(fs.readFileSync(path, 'utf8') as string) as CompiledConfig
    } catch (e) {
      r.error('authotron: ' + ErrorCode.ConfigFormat + ' cannot read the compiled config ' + path + ': ' + String(e))
      return
    }
  }
  if (config.format !== COMPILED_FORMAT) {
    r.error(
      'authotron: ' + ErrorCode.ConfigFormat + ' the compiled config has format ' +
        String(config.format) + ' but this module reads format ' + COMPILED_FORMAT +
        ': recompile it with the `authotron compile` of this release, then `nginx -s reload`',
    )
  }
}
