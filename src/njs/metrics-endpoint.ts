/**
 * `GET /metrics` (authotron-behaviour.md §7.9, §8): the metrics zone rendered by
 * src/auth/metrics-text.ts. Every worker adds to the same zone, so any worker answers with the
 * sum. Where there is no zone the answer says what to do instead: 501 on njs 0.7.9 (no shared
 * dicts: count from the access log, README "Metrics"), 501 where the zone is not declared; 404
 * where the config turns metrics off (`metrics.enabled: false`: the reference then serves no
 * /metrics).
 */
import type { HttpAnswer } from '../auth/answers'
import { METRICS_CONTENT_TYPE, renderMetrics } from '../auth/metrics-text'
import { METRICS_ZONE } from '../auth/metrics'
import type { CompiledConfig } from '../config/compiled'
import { VERSION } from '../version'
import { metricsDict } from './platform'

/** The first words of the 501 body on a runtime without shared dicts (a test matches them). */
export const NO_SHARED_DICT =
  'metrics need a shared dict (njs >= 0.8.0); on this njs count authentications from the access log instead: log_format authotron_auth (README, "Metrics")'

/** More entries than any config's series and buckets (a few hundred for a large config). */
const MAX_ENTRIES = 1000000

export function metricsAnswer(config: CompiledConfig): HttpAnswer {
  if (config.metricsEnabled === false) return { status: 404, headers: [], body: '' }
  const hasSharedDicts = typeof ngx !== 'undefined' && (ngx as any).shared !== undefined
  const plain: [string, string][] = [['Content-Type', 'text/plain; charset=utf-8']]
  if (!hasSharedDicts) {
    const njsVersion = typeof njs !== 'undefined' ? njs.version : 'unknown'
    return { status: 501, headers: plain, body: NO_SHARED_DICT + ' [njs ' + njsVersion + ']\n' }
  }
  const dict = metricsDict()
  if (dict === undefined) {
    return {
      status: 501,
      headers: plain,
      body: 'metrics need the zone ' + METRICS_ZONE + ': include nginx/authotron-metrics.conf in http {} (README, "Metrics")\n',
    }
  }
  // Every series (items() without a count may stop at 1024 entries on some njs versions).
  const entries = dict.items(MAX_ENTRIES) as [string, number][]
  return {
    status: 200,
    headers: [['Content-Type', METRICS_CONTENT_TYPE]],
    body: renderMetrics(config, entries, VERSION),
  }
}
