/**
 * `GET /metrics`: the counters of the metrics zone (metrics.ts) in the Prometheus text exposition
 * format 0.0.4, with the reference's families, labels, HELP texts and pre-initialised zero series
 * (authotron-behaviour.md §8). Families are sorted by name, series by their labels, label names
 * alphabetically with `le` last, as the reference's Rust registry writes them.
 */
import type { CompiledConfig } from '../config/compiled'
import {
  AuthResult,
  AUGMENTER_BUCKETS,
  AUTH_BUCKETS,
  BUCKET_BOUNDS_MS,
  Family,
  labelValue,
  PROVIDER_BUCKETS,
  ProviderResult,
  Slot,
  UNKNOWN_REALM,
} from './metrics'
import { headerSafe } from './answers'

export const METRICS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8'

interface Histogram {
  /** Observations per bucket slot (not cumulative); the last slot is beyond every bound. */
  counts: number[]
  sum: number
}

/** label values (JSON of the array) → the series. JSON text starts with `[`: never a prototype key. */
type Series<T> = { [labels: string]: T }

interface Tables {
  auth: Series<Histogram>
  providerAttempts: Series<number>
  providerDuration: Series<Histogram>
  augmenterAttempts: Series<number>
  augmenterDuration: Series<Histogram>
}

export function renderMetrics(config: CompiledConfig, entries: [string, number][], version: string): string {
  const tables: Tables = { auth: {}, providerAttempts: {}, providerDuration: {}, augmenterAttempts: {}, augmenterDuration: {} }
  preinitialise(config, tables)
  for (let i = 0; i < entries.length; i++) add(tables, entries[i][0], entries[i][1])
  const families: string[] = []
  families.push(
    histogramFamily('auth_duration_seconds', 'Authentication request duration in seconds', ['result', 'realm'], ['realm', 'result'], tables.auth, AUTH_BUCKETS),
    counterFamily('auth_provider_attempts_total', 'Total authentication attempts per provider', ['provider_name', 'provider_type', 'realm', 'result'], tables.providerAttempts),
    histogramFamily('auth_provider_duration_seconds', 'Provider authentication duration in seconds', ['provider_name', 'provider_type', 'realm'], ['provider_name', 'provider_type', 'realm'], tables.providerDuration, PROVIDER_BUCKETS),
    authCounterFamily(tables.auth),
    counterFamily('augmenter_attempts_total', 'Total augmenter executions', ['augmenter_name', 'augmenter_type', 'realm', 'result'], tables.augmenterAttempts),
    histogramFamily('augmenter_duration_seconds', 'Augmenter execution duration in seconds', ['augmenter_type', 'realm'], ['augmenter_type', 'realm'], tables.augmenterDuration, AUGMENTER_BUCKETS),
    '# HELP authotron_build_info Build information; constant 1 with the crate version as a label\n' +
      '# TYPE authotron_build_info gauge\n' +
      'authotron_build_info{version="' + escapeLabel(version) + '"} 1\n',
  )
  families.sort()
  return families.join('')
}

/** The zero series the reference creates at startup, so that alerts have a baseline (§8). */
function preinitialise(config: CompiledConfig, tables: Tables) {
  const successRealms: string[] = [UNKNOWN_REALM]
  for (let i = 0; i < config.providers.length; i++) {
    const provider = config.providers[i]
    const series = [labelValue(provider.name), provider.scheme, labelValue(provider.realm)]
    const results = [ProviderResult.Success, ProviderResult.Error, ProviderResult.Timeout]
    for (let j = 0; j < results.length; j++) attempts(tables.providerAttempts, series.concat(results[j]))
    histogram(tables.providerDuration, series)
    successRealms.push(headerSafe(provider.realm))
  }
  for (let i = 0; i < config.augmenters.length; i++) {
    const augmenter = config.augmenters[i]
    const realm = labelValue(augmenter.realm)
    const series = [labelValue(augmenter.name), labelValue(augmenter.type), realm]
    attempts(tables.augmenterAttempts, series.concat('success'))
    attempts(tables.augmenterAttempts, series.concat('error'))
    histogram(tables.augmenterDuration, [labelValue(augmenter.type), realm])
    successRealms.push(headerSafe(augmenter.realm))
  }
  const failures = [AuthResult.NoAuthHeader, AuthResult.InvalidHeader, AuthResult.AllFailed]
  for (let i = 0; i < failures.length; i++) histogram(tables.auth, [failures[i], UNKNOWN_REALM])
  for (let i = 0; i < successRealms.length; i++) histogram(tables.auth, [AuthResult.Success, successRealms[i]])
}

/** One zone entry into its tables; entries of an unknown shape (another build's) are skipped. */
function add(tables: Tables, key: string, value: number) {
  const parts = key.split('\n')
  const slot = parts[1]
  if (typeof value !== 'number') return
  if (parts[0] === Family.Auth && parts.length === 4) {
    observe(histogram(tables.auth, [parts[2], parts[3]]), slot, value, AUTH_BUCKETS)
  } else if (parts[0] === Family.Provider && parts.length === 6) {
    // parts: family, slot, result, name, scheme, realm
    const series = [parts[3], parts[4], parts[5]]
    if (slot === Slot.Timeout) {
      attempts(tables.providerAttempts, series.concat(ProviderResult.Timeout), value)
      return
    }
    if (slot !== Slot.Sum) attempts(tables.providerAttempts, series.concat(parts[2]), value)
    observe(histogram(tables.providerDuration, series), slot, value, PROVIDER_BUCKETS)
  } else if (parts[0] === Family.Augmenter && parts.length === 6) {
    // parts: family, slot, result, name, type, realm
    if (slot !== Slot.Sum) attempts(tables.augmenterAttempts, [parts[3], parts[4], parts[5], parts[2]], value)
    observe(histogram(tables.augmenterDuration, [parts[4], parts[5]]), slot, value, AUGMENTER_BUCKETS)
  }
}

function attempts(table: Series<number>, labels: string[], value = 0) {
  const id = JSON.stringify(labels)
  table[id] = (table[id] === undefined ? 0 : table[id]) + value
}

function histogram(table: Series<Histogram>, labels: string[]): Histogram {
  const id = JSON.stringify(labels)
  if (table[id] === undefined) {
    const counts: number[] = []
    for (let i = 0; i <= BUCKET_BOUNDS_MS.length; i++) counts.push(0)
    table[id] = { counts, sum: 0 }
  }
  return table[id]
}

/** Adds a zone entry to a histogram: a bucket slot's count, or the sum. */
function observe(target: Histogram, slot: string, value: number, buckets: number) {
  if (slot === Slot.Sum) {
    target.sum += value
    return
  }
  const index = Number(slot)
  if (!(index >= 0 && index <= BUCKET_BOUNDS_MS.length && index === Math.floor(index))) return
  // Beyond the family's last bound: only in +Inf.
  target.counts[index < buckets ? index : BUCKET_BOUNDS_MS.length] += value
}

function counterFamily(name: string, help: string, labelNames: string[], table: Series<number>): string {
  let text = '# HELP ' + name + ' ' + help + '\n# TYPE ' + name + ' counter\n'
  const ids = Object.keys(table).sort(byLabels)
  for (let i = 0; i < ids.length; i++) {
    text += name + labelSet(labelNames, JSON.parse(ids[i]), '') + ' ' + formatNumber(table[ids[i]]) + '\n'
  }
  return text
}

/** auth_requests_total: every attempt is one observation of auth_duration_seconds, so its count. */
function authCounterFamily(table: Series<Histogram>): string {
  const counts: Series<number> = {}
  const ids = Object.keys(table)
  for (let i = 0; i < ids.length; i++) counts[reorder(ids[i], [1, 0])] = total(table[ids[i]])
  return counterFamily('auth_requests_total', 'Total number of authentication attempts', ['realm', 'result'], counts)
}

/**
 * A histogram family. `keyNames` name the label values in the order the tables keep them,
 * `labelNames` the order the exposition writes them (alphabetical).
 */
function histogramFamily(
  name: string,
  help: string,
  keyNames: string[],
  labelNames: string[],
  table: Series<Histogram>,
  buckets: number,
): string {
  const order: number[] = []
  for (let i = 0; i < labelNames.length; i++) order.push(keyNames.indexOf(labelNames[i]))
  const sorted: Series<Histogram> = {}
  const keys = Object.keys(table)
  for (let i = 0; i < keys.length; i++) sorted[reorder(keys[i], order)] = table[keys[i]]
  let text = '# HELP ' + name + ' ' + help + '\n# TYPE ' + name + ' histogram\n'
  const ids = Object.keys(sorted).sort(byLabels)
  for (let i = 0; i < ids.length; i++) {
    const values: string[] = JSON.parse(ids[i])
    const series = sorted[ids[i]]
    let cumulative = 0
    for (let b = 0; b < buckets; b++) {
      cumulative += series.counts[b]
      const le = 'le="' + formatNumber(BUCKET_BOUNDS_MS[b] / 1000) + '"'
      text += name + '_bucket' + labelSet(labelNames, values, le) + ' ' + formatNumber(cumulative) + '\n'
    }
    text += name + '_bucket' + labelSet(labelNames, values, 'le="+Inf"') + ' ' + formatNumber(total(series)) + '\n'
    text += name + '_sum' + labelSet(labelNames, values, '') + ' ' + formatNumber(series.sum) + '\n'
    text += name + '_count' + labelSet(labelNames, values, '') + ' ' + formatNumber(total(series)) + '\n'
  }
  return text
}

function total(series: Histogram): number {
  let count = 0
  for (let i = 0; i < series.counts.length; i++) count += series.counts[i]
  return count
}

function reorder(id: string, order: number[]): string {
  const values: string[] = JSON.parse(id)
  const result: string[] = []
  for (let i = 0; i < order.length; i++) result.push(values[order[i]])
  return JSON.stringify(result)
}

function byLabels(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

function labelSet(names: string[], values: string[], extra: string): string {
  let text = '{'
  for (let i = 0; i < names.length; i++) text += (i === 0 ? '' : ',') + names[i] + '="' + escapeLabel(values[i]) + '"'
  if (extra !== '') text += (names.length === 0 ? '' : ',') + extra
  return text + '}'
}

/** The exposition's label escapes: backslash, double quote, line feed. */
export function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')
}

/** Counts as integers; sums of milliseconds rounded to the microsecond (no 0.30000000000000004). */
function formatNumber(value: number): string {
  return String(Math.round(value * 1e6) / 1e6)
}
