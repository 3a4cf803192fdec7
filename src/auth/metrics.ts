/**
 * Prometheus metrics (authotron-behaviour.md §8) as counters in a shared dict of numbers: every
 * worker adds to the same entries (`js_shared_dict_zone zone=authotron_metrics … type=number`,
 * nginx/authotron-metrics.conf), and `GET /metrics` renders them (metrics-text.ts), so the
 * exposition is already the sum over the workers.
 *
 * One entry per series and histogram bucket. A key is its family, its slot and its label values,
 * joined by line feeds (no label value holds one: realms and usernames went through headerSafe,
 * config names through labelValue):
 *
 *   auth \n <bucket|s> \n <result> \n <realm>
 *   prov \n <bucket|s|t> \n <result> \n <provider_name> \n <provider_type> \n <realm>
 *   aug  \n <bucket|s> \n <result> \n <augmenter_name> \n <augmenter_type> \n <realm>
 *
 * A bucket slot (`0`…) counts the observations that fell into that bucket alone (the exposition
 * makes them cumulative); `s` is the sum of the observed seconds; `t` counts provider timeouts,
 * which have no duration (§8). A counter is its histogram's count: every attempt is one counter
 * increment and one observation with the same labels, so one `incr` records both, and a second adds
 * to the sum when the duration is not zero.
 *
 * Durations come from the worker's clock (Date.now(): njs has no finer one), so they are whole
 * milliseconds. A grant-cache hit takes tens of microseconds and is recorded as 0 s without reading
 * the clock (recordGrantCacheHit): one `incr`.
 */
import type { MetricsSink } from '../platform'

/** `js_shared_dict_zone zone=authotron_metrics:1m type=number;` (nginx/authotron-metrics.conf). */
export const METRICS_ZONE = 'authotron_metrics'

/** A key's first part (a const enum: inlined, nothing declared at run time). */
export const enum Family {
  Auth = 'auth',
  Provider = 'prov',
  Augmenter = 'aug',
}

/** The slots that are not buckets. */
export const enum Slot {
  Sum = 's',
  Timeout = 't',
}

/** `auth_requests_total.result` (§8). */
export const enum AuthResult {
  Success = 'success',
  NoAuthHeader = 'no_auth_header',
  InvalidHeader = 'invalid_header',
  AllFailed = 'all_failed',
}

/** The realm label of every failure (§8). */
export const UNKNOWN_REALM = 'unknown'

/**
 * The upper bounds of the reference's buckets in milliseconds: auth_duration_seconds uses all
 * twelve, auth_provider_duration_seconds the first eleven (to 5 s), augmenter_duration_seconds the
 * first ten (to 2.5 s). An observation above a family's last bound counts only in `+Inf`.
 */
export const BUCKET_BOUNDS_MS = [1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000]
export const AUTH_BUCKETS = 12
export const PROVIDER_BUCKETS = 11
export const AUGMENTER_BUCKETS = 10

/**
 * The bucket of a duration: the index of the first bound ≥ `ms`, BUCKET_BOUNDS_MS.length above
 * them all (a family with fewer bounds folds every index ≥ its count into `+Inf`).
 */
/* @inline */
export function durationBucket(ms: number): number {
  return firstBoundAtLeast(ms, BUCKET_BOUNDS_MS)
}

/**
 * The index of the first of `bounds` (ascending) that is ≥ `value`; bounds.length above them all.
 * In dist/ each call is written out as a chain of comparisons against the array's numbers, fastest
 * first, and the array goes (build-inline.mjs, specialiseBoundSearches): on the njs engine a
 * twelve-number array costs every request that instantiates its unit ~3k instructions.
 */
/* @bound-search */
export function firstBoundAtLeast(value: number, bounds: readonly number[]): number {
  let index = 0
  // `!(value <= bound)` as the chain compares: a NaN lands above every bound either way.
  while (index < bounds.length && !(value <= bounds[index])) index++
  return index
}

/**
 * Records one authentication attempt (`auth_requests_total` and `auth_duration_seconds`) that took
 * `ms`. `realm` is the user's realm for a success (header-safe, as the grant entry holds it) and
 * UNKNOWN_REALM otherwise. Inlined into the grant-cache hit in dist/. Never throws: a full or
 * missing zone only loses the observation (the sink swallows it).
 */
/* @inline */
export function recordAuthentication(sink: MetricsSink, result: string, realm: string, ms: number): void {
  const labels = '\n' + result + '\n' + realm
  sink.incr(Family.Auth + '\n' + durationBucket(ms) + labels, 1)
  if (ms > 0) sink.incr(Family.Auth + '\n' + Slot.Sum + labels, ms / 1000)
}

/**
 * Records a grant-cache hit: a success of `realm` observed as 0 s, in the first bucket (0 ms is
 * within BUCKET_BOUNDS_MS[0]), with one `incr` and no clock read. A hit takes tens of microseconds:
 * the millisecond clock read 0 ms for it, or 1 ms when a tick fell inside it (the same bucket), and
 * its two reads cost ~3k instructions on the njs engine, a third of what metrics cost a hit
 * (docs/benchmarks.md, "Metrics"). Inlined into the top layer's hit path in dist/.
 */
/* @inline */
export function recordGrantCacheHit(sink: Pick<MetricsSink, 'incr'>, realm: string): void {
  // One literal in dist/ (esbuild joins the constant parts): `auth\n0\nsuccess\n` + realm.
  sink.incr(Family.Auth + '\n0\n' + AuthResult.Success + '\n' + realm, 1)
}

/** `auth_provider_attempts_total.result` (§8). */
export const enum ProviderResult {
  Success = 'success',
  Error = 'error',
  Timeout = 'timeout',
}

export interface ProviderSeries {
  name: string
  /** The scheme, `Basic` or `Bearer` (§8: not the config type). */
  scheme: string
  /** The provider's (filter) realm. */
  realm: string
}

/** A provider run: success or error with its duration, or a timeout (no duration, §8). */
export function recordProvider(sink: MetricsSink, provider: ProviderSeries, result: string, ms: number): void {
  const labels = '\n' + result + '\n' + labelValue(provider.name) + '\n' + provider.scheme + '\n' + labelValue(provider.realm)
  if (result === ProviderResult.Timeout) {
    sink.incr(Family.Provider + '\n' + Slot.Timeout + labels, 1)
    return
  }
  sink.incr(Family.Provider + '\n' + durationBucket(ms) + labels, 1)
  if (ms > 0) sink.incr(Family.Provider + '\n' + Slot.Sum + labels, ms / 1000)
}

export interface AugmenterSeries {
  name: string
  type: string
}

/** An augmenter run for a user of `realm`: `success` or `error`, with its duration. */
export function recordAugmenter(sink: MetricsSink, augmenter: AugmenterSeries, realm: string, result: string, ms: number): void {
  const labels = '\n' + result + '\n' + labelValue(augmenter.name) + '\n' + labelValue(augmenter.type) + '\n' + labelValue(realm)
  sink.incr(Family.Augmenter + '\n' + durationBucket(ms) + labels, 1)
  if (ms > 0) sink.incr(Family.Augmenter + '\n' + Slot.Sum + labels, ms / 1000)
}

const LINE_BREAKS = /[\r\n]/g

/** A config string as a key part: without line breaks (they separate the parts). */
export function labelValue(value: string): string {
  return value.replace(LINE_BREAKS, ' ')
}
