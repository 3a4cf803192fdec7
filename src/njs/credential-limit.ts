/**
 * auth.max_basic_length at the boundary (src/auth/header.ts): a request whose header carries a Basic
 * credential over the limit is refused by the top layer (index.ts) with the 401 every refusal gets,
 * counted and logged as the core would (invalid_header, ERR_CREDENTIAL_TOO_LONG at info), without
 * instantiating the core: on the njs engine that alone costs more than a normal Basic request
 * (bench/profile.ts: ~250k instructions). Found either by nginx's map (refusedByMap, any part of
 * the header, before the module reads it) or, without the map, by the header's first part
 * (refusedTooLong).
 */
import type { CompiledConfig } from '../config/compiled'
import { DEFAULT_MAX_BASIC_LENGTH, leadingBasicTooLong, tooLong } from '../auth/header'
import { unauthorized } from '../auth/answers'
import { AuthResult, recordAuthentication, UNKNOWN_REALM } from '../auth/metrics'
import { logLine, logs, metricsSink } from './platform'

/**
 * Answers the request and returns true when `mapLimit`, the value of nginx's map
 * (src/compiler/basic-limit-snippet.ts), is this config's limit: a map generated for another limit
 * (a snippet left from another config) decides nothing.
 */
export function refusedByMap(r: NginxHTTPRequest, config: CompiledConfig, mapLimit: string): boolean {
  const startedMs = Date.now()
  const maxBasicLength = limitOf(config)
  if (mapLimit !== String(maxBasicLength)) return false
  refuse(r, config, maxBasicLength, startedMs)
  return true
}

/** Answers the request and returns true when its header starts with a Basic credential over auth.max_basic_length. */
export function refusedTooLong(r: NginxHTTPRequest, config: CompiledConfig, authorization: string): boolean {
  const startedMs = Date.now()
  const maxBasicLength = limitOf(config)
  if (!leadingBasicTooLong(authorization, maxBasicLength)) return false
  refuse(r, config, maxBasicLength, startedMs)
  return true
}

function limitOf(config: CompiledConfig): number {
  return config.maxBasicLength === undefined ? DEFAULT_MAX_BASIC_LENGTH : config.maxBasicLength
}

function refuse(r: NginxHTTPRequest, config: CompiledConfig, maxBasicLength: number, startedMs: number): void {
  const metrics = config.metricsEnabled === false ? undefined : metricsSink()
  if (metrics !== undefined) {
    try {
      recordAuthentication(metrics, AuthResult.InvalidHeader, UNKNOWN_REALM, Date.now() - startedMs)
    } catch (e) {
      // A full zone loses the observation, never the answer.
    }
  }
  if (logs(config.logLevel, 'info')) {
    const error = tooLong(maxBasicLength)
    logLine(r, 'info', 'auth.request.rejected', { code: error.code, reason: error.message })
  }
  const answer = unauthorized(config)
  for (let i = 0; i < answer.headers.length; i++) r.headersOut[answer.headers[i][0]] = answer.headers[i][1]
  r.return(answer.status, answer.body)
}
