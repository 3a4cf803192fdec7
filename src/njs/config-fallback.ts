/**
 * The compiled config where the preloaded `authotron_cfg` is absent (config-source.ts): a lazy
 * unit (config-fallback.load.ts) that a correctly configured njs engine never instantiates.
 *
 * 1. The deprecated preload name `authotron_config`, still read for one release. On njs 0.7.9 a
 *    preloaded object whose name is longer than 14 characters leaks ~17 bytes of worker memory
 *    per request (docs/benchmarks.md, "Worker memory"), so its users are told to rename it.
 * 2. QuickJS, which has no `js_preload_object`: the file named by
 *    `js_var $authotron_config_file <path>;`, parsed once per JS context. QuickJS reuses a context
 *    for many requests, so the parse is paid rarely; a reload starts new workers with new contexts.
 */
import type { CompiledConfig } from '../config/compiled'
import { ErrorCode } from '../errors'
import fs from 'fs'

/** Declared by the deprecated `js_preload_object authotron_config from …;`. */
declare const authotron_config: CompiledConfig | undefined

/**
 * The deprecation notice is logged on the first request of one connection in this many: each
 * request of the njs engine runs in a fresh VM, so "once per worker" cannot be remembered on
 * njs 0.7.9. Connection numbers start at 1 in a freshly started or reloaded nginx, so the first
 * client connection always logs it.
 */
export const DEPRECATION_NOTICE_EVERY_CONNECTIONS = 1000

let contextConfig: CompiledConfig | undefined
let contextConfigPath: string | undefined

/** The config from a fallback source, or undefined when there is none (config-problem.ts says why). */
export function fallbackConfig(r: NginxHTTPRequest): CompiledConfig | undefined {
  if (typeof authotron_config !== 'undefined') {
    noticeDeprecatedPreloadName(r)
    return authotron_config
  }
  return configFromFile(r)
}

function noticeDeprecatedPreloadName(r: NginxHTTPRequest): void {
  const variables = r.variables
  if (variables.connection_requests !== '1') return
  if (Number(variables.connection) % DEPRECATION_NOTICE_EVERY_CONNECTIONS !== 1) return
  r.warn(
    'authotron: ' + ErrorCode.ConfigDeprecated + ' `js_preload_object authotron_config` is deprecated, ' +
      'rename it to `js_preload_object authotron_cfg`: njs 0.7.9 leaks ~17 bytes of worker memory per ' +
      'request for a preloaded object whose name is longer than 14 characters; the old name is read ' +
      'until the next release',
  )
}

function configFromFile(r: NginxHTTPRequest): CompiledConfig | undefined {
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
