/**
 * auth.max_basic_length at the boundary (src/auth/header.ts): a header that starts with a Basic
 * credential over the limit is refused by the top layer (index.ts) with the 401 every refusal gets, counted
 * and logged as the core would (invalid_header, ERR_CREDENTIAL_TOO_LONG at info), without
 * instantiating the core: on the njs engine that alone costs more than a normal Basic request
 * (bench/profile.ts: ~250k instructions).
 */
import type { CompiledConfig } from '../config/compiled'
import { DEFAULT_MAX_BASIC_LENGTH, leadingBasicTooLong, tooLong } from '../auth/header'
import { unauthorized } from '../auth/answers'
import { AuthResult, recordAuthentication, UNKNOWN_REALM } from '../auth/metrics'
import { logLine, logs, metricsSink } from './platform'

/** Answers the request and returns true when its header starts with a Basic credential over auth.max_basic_length. */
export function refusedTooLong(r: NginxHTTPRequest, config: CompiledConfig, authorization: string): boolean {
  const startedMs = Date.now()
  const maxBasicLength = config.maxBasicLength === undefined ? DEFAULT_MAX_BASIC_LENGTH : config.maxBasicLength
  if (!leadingBasicTooLong(authorization, maxBasicLength)) return false
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
  return true
}
