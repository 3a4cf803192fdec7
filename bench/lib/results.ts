/** The results of one run (what bench/results/<date>.json holds), and the numbers derived from them. */
import type { LegVersions } from '../../test/nginx-harness/nginx'
import type { LegFeatures, LocalLegName, RuntimeLeg } from '../../test/nginx-harness/runtimes'
import { ADDED_P99_TARGET_MS, CASES, RATIOS, type CaseId } from './cases'
import type { MachineDescription, Memory } from './machine'
import type { OpenLoopResult } from './openloop'

export interface Measurement {
  round: number
  rps: number
  requests: number
  p50Ms: number
  p99Ms: number
  non2xx: number
  socketErrors: number
  /**
   * The worker's CPU time per request, µs (from /proc/<pid>/schedstat): what a request costs the
   * server whatever else ran on the machine. 1e6 / this = req/s one dedicated core could serve.
   */
  workerUsPerRequest: number
  /** The nginx worker's CPU use during the run, % of one core (≈100 when the worker is the bottleneck). */
  workerCpuPct: number
  /** Core 0 task time not spent in the nginx worker (other processes), % of the core. */
  serverCoreOtherPct: number
  /** Core 0 irq + softirq time (loopback networking lands here), % of the core. */
  serverCoreIrqPct: number
  /** How long the bench waited for the machine to be quiet before this run, ms. */
  waitedMs?: number
  /** Other processes took > 10 % of the server core, or the worker ran < 85 % (load core disturbed), in the best of the retries. */
  disturbed?: boolean
  /** Runs of this measurement that were discarded because other work disturbed them. */
  retries?: number
  /** The 1-minute load average at the start (this machine may be shared). */
  load1: number
  /** Why the run does not count (errors, a token pool run past its end), if it does not. */
  invalid?: string
}

export interface CaseResult {
  status: 'measured' | 'not available' | 'failed'
  /** For `not available` and `failed`: why, in a sentence. */
  reason?: string
  runs: Measurement[]
  /** Medians over the valid runs. */
  median?: { rps: number; p50Ms: number; p99Ms: number }
  /** The lowest and highest req/s of the valid runs. */
  range?: [number, number]
  /** 1e6/rps(case) − 1e6/rps(none): wall-clock µs this case adds to each request at peak. */
  addedUsPerRequest?: number
  /** Median worker CPU µs per request (schedstat), and what it adds to `none`'s. */
  cpu?: { usPerRequest: number; addedUs?: number; capacityRps: number }
}

export interface RatioResult {
  value?: number
  /** The ratio in each round (same round, same machine state), lowest and highest. */
  roundRange?: [number, number]
  /**
   * The same ratio from worker CPU time per request (cpu(denominator) / cpu(numerator)): what the
   * ratio of req/s would be on dedicated cores, unaffected by other work on a shared machine.
   */
  cpuValue?: number
  cpuVerdict?: 'pass' | 'miss'
  target?: number
  verdict: 'pass' | 'miss' | 'no target' | 'not available'
  reason?: string
}

export interface HalfLoadResult {
  status: 'measured' | 'not available' | 'failed'
  reason?: string
  /** Half of the case's median peak req/s. */
  rate?: number
  caseRun?: OpenLoopResult
  /** `none` at the same rate: what the request costs without auth. */
  noneRun?: OpenLoopResult
  /** p99(case) − p99(none) at that rate, from the pair with the median difference. */
  addedP99Ms?: number
  /** Every (case, none) pair run; `serverCoreOtherPct` tells how much other work disturbed it. */
  pairs?: { caseRun: OpenLoopResult; noneRun: OpenLoopResult; addedP99Ms: number; serverCoreOtherPct: number }[]
  targetMs: number
  verdict?: 'pass' | 'miss'
}

export interface MemoryResult {
  case: string
  connections: number
  durationS: number
  requests?: number
  rps?: number
  non2xx?: number
  before: Memory
  /** Sampled every 10 s during the run. */
  samples: { atS: number; memory: Memory }[]
  after: Memory
  /** VmRSS after − before, KiB. */
  growthKiB: number
  /** Growth over the second half of the run, KiB (bounded memory stays flat there). */
  secondHalfGrowthKiB: number
}

export interface LegResult {
  leg: LocalLegName
  description: string
  status: 'measured' | 'not available'
  reason?: string
  versions?: LegVersions
  packages: string[]
  features: LegFeatures
  /** Which compiled config the leg's nginx loaded. */
  config: string
  grantCache: boolean
  cases: { [id: string]: CaseResult }
  ratios: { [id: string]: RatioResult }
  halfLoad: { [id: string]: HalfLoadResult }
  memory?: MemoryResult
  /** Worker RSS right after start and after all rounds (same worker). */
  workerRss?: { afterStartKiB: number; afterRoundsKiB: number }
}

export interface BenchResults {
  tool: 'authotron-njs bench'
  date: string
  startedAt: string
  finishedAt?: string
  command: string
  gitCommit: string
  gitDirty: boolean
  options: { [key: string]: unknown }
  machine: MachineDescription
  method: { [key: string]: string }
  identityProvider: { jwksUrl: string; poolSize: number; jwksFetches?: number; keyFingerprint: string }
  legs: LegResult[]
}

export function median(values: number[]): number {
  if (values.length === 0) return NaN
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

/** Fills median, range and addedUsPerRequest of every case of `leg`. */
export function summariseCases(leg: LegResult): void {
  for (const id of Object.keys(leg.cases)) {
    const result = leg.cases[id]
    const valid = result.runs.filter((run) => run.invalid === undefined)
    if (result.status !== 'measured') continue
    if (valid.length === 0) {
      result.status = 'failed'
      result.reason = result.runs[0]?.invalid ?? 'no run completed'
      continue
    }
    const rps = valid.map((run) => run.rps)
    result.median = {
      rps: median(rps),
      p50Ms: median(valid.map((run) => run.p50Ms)),
      p99Ms: median(valid.map((run) => run.p99Ms)),
    }
    result.range = [Math.min(...rps), Math.max(...rps)]
    const us = median(valid.map((run) => run.workerUsPerRequest))
    result.cpu = { usPerRequest: us, capacityRps: 1e6 / us }
  }
  const none = leg.cases.none?.median?.rps
  for (const id of Object.keys(leg.cases)) {
    const rps = leg.cases[id].median?.rps
    if (none !== undefined && rps !== undefined) leg.cases[id].addedUsPerRequest = 1e6 / rps - 1e6 / none
    const cpu = leg.cases[id].cpu
    const noneCpu = leg.cases.none?.cpu
    if (cpu !== undefined && noneCpu !== undefined) cpu.addedUs = cpu.usPerRequest - noneCpu.usPerRequest
  }
}

export function computeRatios(leg: LegResult, runtime: RuntimeLeg): void {
  for (const ratio of RATIOS) {
    const target = ratio.target(runtime)
    const num = leg.cases[ratio.numerator]
    const den = leg.cases[ratio.denominator]
    const missing = [num, den].find((c) => c === undefined || c.median === undefined)
    if (missing !== undefined || num === undefined || den === undefined) {
      const which = num?.median === undefined ? ratio.numerator : ratio.denominator
      const reason = leg.cases[which]?.reason ?? 'not selected in this run'
      leg.ratios[ratio.id] = { verdict: 'not available', reason: `${which}: ${reason}` }
      continue
    }
    const value = num.median!.rps / den.median!.rps
    const perRound: number[] = []
    for (const a of num.runs) {
      const b = den.runs.find((run) => run.round === a.round)
      if (b !== undefined && a.invalid === undefined && b.invalid === undefined) perRound.push(a.rps / b.rps)
    }
    const result: RatioResult = {
      value,
      roundRange: perRound.length > 0 ? [Math.min(...perRound), Math.max(...perRound)] : undefined,
      verdict: 'no target',
    }
    if (num.cpu !== undefined && den.cpu !== undefined) result.cpuValue = den.cpu.usPerRequest / num.cpu.usPerRequest
    if ('min' in target) {
      result.target = target.min
      result.verdict = value >= target.min ? 'pass' : 'miss'
      if (result.cpuValue !== undefined) result.cpuVerdict = result.cpuValue >= target.min ? 'pass' : 'miss'
    } else result.reason = target.none
    leg.ratios[ratio.id] = result
  }
}

export function halfLoadVerdict(result: HalfLoadResult): void {
  if (result.caseRun === undefined || result.noneRun === undefined) return
  result.addedP99Ms = result.caseRun.p99Ms - result.noneRun.p99Ms
  result.verdict = result.addedP99Ms < ADDED_P99_TARGET_MS ? 'pass' : 'miss'
}

// ---------------------------------------------------------------------------------------------
// Text renderings: the console summary and the Markdown tables docs/benchmarks.md quotes.

const k = (rps: number | undefined) => (rps === undefined ? '—' : `${(rps / 1000).toFixed(1)}k`)
const ms = (value: number | undefined) => (value === undefined || Number.isNaN(value) ? '—' : value.toFixed(2))

export function markdownTables(results: BenchResults): string {
  const legs = results.legs.filter((leg) => leg.status === 'measured')
  const caseIds = Object.keys(CASES).filter((id) => legs.some((leg) => leg.cases[id] !== undefined)) as CaseId[]
  const lines: string[] = []
  lines.push(`### Throughput: median req/s (p50 / p99 ms at peak, wrk -c${results.options.connections})`)
  lines.push('')
  lines.push(`| case | ${legs.map((leg) => legTitle(leg)).join(' | ')} |`)
  lines.push(`|---|${legs.map(() => '---').join('|')}|`)
  for (const id of caseIds) {
    const cells = legs.map((leg) => {
      const c = leg.cases[id]
      if (c === undefined) return '(not run)'
      if (c.median === undefined) return `n/a¹`
      return `**${k(c.median.rps)}** (${ms(c.median.p50Ms)} / ${ms(c.median.p99Ms)})`
    })
    lines.push(`| \`${id}\` | ${cells.join(' | ')} |`)
  }
  lines.push('')
  lines.push('### Worker CPU per request, µs (median; from /proc/<worker>/schedstat; hardly affected by other processes, not by the host slowing the VM)')
  lines.push('')
  lines.push('Capacity = 1e6 / µs: the req/s one dedicated core would serve.')
  lines.push('')
  lines.push(`| case | ${legs.map((leg) => legTitle(leg)).join(' | ')} |`)
  lines.push(`|---|${legs.map(() => '---').join('|')}|`)
  for (const id of caseIds) {
    const cells = legs.map((leg) => {
      const cpu = leg.cases[id]?.cpu
      if (cpu === undefined) return '—'
      const added = cpu.addedUs === undefined || id === 'none' ? '' : ` (+${cpu.addedUs.toFixed(1)})`
      return `${cpu.usPerRequest.toFixed(1)}${added} → ${k(cpu.capacityRps)}`
    })
    lines.push(`| \`${id}\` | ${cells.join(' | ')} |`)
  }
  lines.push('')
  lines.push('### Ratios of req/s (target in brackets; per-round range after the value; then the same ratio from worker CPU per request)')
  lines.push('')
  lines.push(`| ratio | ${legs.map((leg) => legTitle(leg)).join(' | ')} |`)
  lines.push(`|---|${legs.map(() => '---').join('|')}|`)
  for (const ratio of RATIOS) {
    const cells = legs.map((leg) => {
      const r = leg.ratios[ratio.id]
      if (r === undefined || r.value === undefined) return 'n/a¹'
      const range = r.roundRange ? ` (${r.roundRange[0].toFixed(2)}–${r.roundRange[1].toFixed(2)})` : ''
      const target = r.target === undefined ? '[no target]' : `[≥ ${r.target}] ${r.verdict === 'pass' ? '✅ pass' : '❌ miss'}`
      const cpu = r.cpuValue === undefined ? '' : `; CPU ${r.cpuValue.toFixed(2)}${r.cpuVerdict === undefined ? '' : r.cpuVerdict === 'pass' ? ' ✅' : ' ❌'}`
      return `**${r.value.toFixed(2)}**${range} ${target}${cpu}`
    })
    lines.push(`| \`${ratio.id}\` | ${cells.join(' | ')} |`)
  }
  lines.push('')
  lines.push(`### p99 added latency at half of peak load (open-loop client; target < ${ADDED_P99_TARGET_MS} ms)`)
  lines.push('')
  lines.push(`| case | ${legs.map((leg) => legTitle(leg)).join(' | ')} |`)
  lines.push(`|---|${legs.map(() => '---').join('|')}|`)
  const halfIds = [...new Set(legs.flatMap((leg) => Object.keys(leg.halfLoad)))]
  for (const id of halfIds) {
    const cells = legs.map((leg) => {
      const h = leg.halfLoad[id]
      if (h === undefined || h.addedP99Ms === undefined) return 'n/a¹'
      const verdict = h.verdict === 'pass' ? '✅' : '❌'
      return `**${h.addedP99Ms.toFixed(3)} ms** ${verdict} @ ${k(h.rate)}/s (p99 ${ms(h.caseRun?.p99Ms)} vs ${ms(h.noneRun?.p99Ms)})`
    })
    lines.push(`| \`${id}\` | ${cells.join(' | ')} |`)
  }
  lines.push('')
  if (legs.some((leg) => leg.memory !== undefined)) {
    const first = legs.find((leg) => leg.memory !== undefined)!.memory!
    lines.push(`### Worker memory (VmRSS), ${first.durationS} s at ${first.connections} connections`)
    lines.push('')
    lines.push('| leg | requests | before | after | growth | growth in 2nd half |')
    lines.push('|---|---|---|---|---|---|')
    for (const leg of legs) {
      const m = leg.memory
      if (m === undefined) continue
      lines.push(
        `| ${legTitle(leg)} | ${m.requests ?? '—'} | ${mib(m.before.vmRssKiB)} | ${mib(m.after.vmRssKiB)} | ` +
          `${signedKiB(m.growthKiB)} | ${signedKiB(m.secondHalfGrowthKiB)} |`,
      )
    }
    lines.push('')
  }
  const notes: string[] = []
  for (const leg of legs) {
    for (const id of caseIds) {
      const c = leg.cases[id]
      if (c !== undefined && c.median === undefined) notes.push(`${leg.leg} \`${id}\`: ${c.status}: ${c.reason}`)
    }
    for (const id of Object.keys(leg.halfLoad)) {
      const h = leg.halfLoad[id]
      if (h.addedP99Ms === undefined) notes.push(`${leg.leg} half load \`${id}\`: ${h.status}: ${h.reason}`)
    }
  }
  for (const leg of results.legs) if (leg.status !== 'measured') notes.push(`leg ${leg.leg}: not available: ${leg.reason}`)
  if (notes.length > 0) {
    lines.push('¹ Not available:')
    lines.push('')
    for (const note of notes) lines.push(`- ${note}`)
    lines.push('')
  }
  return lines.join('\n')
}

export function legTitle(leg: LegResult): string {
  if (leg.versions === undefined) return leg.leg
  const engine = leg.versions.engine === 'QuickJS' ? ' QuickJS' : ''
  return `${leg.leg} (njs ${leg.versions.njs}${engine})`
}

function mib(kib: number): string {
  return `${(kib / 1024).toFixed(1)} MiB`
}

function signedKiB(kib: number): string {
  return `${kib >= 0 ? '+' : ''}${kib} KiB`
}
