/**
 * One peak-throughput measurement of a case on a leg: wrk on the load core against the leg's
 * nginx, with the server core metered meanwhile (the worker's CPU, other processes, interrupts),
 * on a machine that was idle when it started, run again when other work disturbed it.
 */
import type { BenchCase } from './cases'
import { headersOf, instance, type LegState } from './legs'
import { coreJiffies, loadAverage, LOAD_CORE, processCpuNs, processJiffies, SERVER_CORE, waitForQuiet } from './machine'
import type { BenchOptions } from './options'
import type { Measurement } from './results'
import { startBenchNginx } from './servers'
import type { IdentityProvider } from './tokens'
import { runWrk, type WrkResult } from './wrk'

/** Core 0 time taken by other processes above which a run counts as disturbed, %. */
export const DISTURBED_PCT = 10
/** Below this worker CPU use the server was not the bottleneck (the load core was disturbed), %. */
export const SATURATED_PCT = 85

/**
 * The waits for an idle machine before a run: each at most `--quiet-wait`, and those of the peak
 * runs together at most `--quiet-budget`.
 */
export interface QuietBudget {
  /** How long the next wait may take, ms. */
  nextWaitMs(): number
  /** What a wait took, to draw it from the budget. */
  spend(waitedMs: number): void
}

export function quietBudget(options: BenchOptions): QuietBudget {
  let budgetMs = options.quietBudgetS * 1000
  return {
    nextWaitMs: () => Math.min(options.quietWaitS * 1000, budgetMs),
    spend: (waitedMs) => {
      budgetMs = Math.max(0, budgetMs - waitedMs)
    },
  }
}

/**
 * One measurement on a quiet machine: waits (bounded) for both cores to be idle, runs, and runs
 * again (at most options.retries times) when other processes took more than DISTURBED_PCT of the
 * server core meanwhile or the worker was not saturated, keeping the least disturbed run.
 * Disturbed runs that remain are flagged. (Worker CPU per request is hardly affected either way.)
 */
export async function measure(
  state: LegState,
  c: BenchCase,
  round: number,
  options: BenchOptions,
  idp: IdentityProvider,
  poolLua: string,
  quietWaits: QuietBudget,
): Promise<Measurement> {
  let best: Measurement | undefined
  let attempts = 0
  const disturbance = (m: Measurement) => m.serverCoreOtherPct + Math.max(0, SATURATED_PCT - m.workerCpuPct)
  for (; attempts <= options.retries; attempts++) {
    const quiet = await waitForQuiet(quietWaits.nextWaitMs())
    quietWaits.spend(quiet.waitedMs)
    const m = await measureOnce(state, c, round, options, idp, poolLua)
    m.waitedMs = quiet.waitedMs
    if (best === undefined || disturbance(m) < disturbance(best)) best = m
    if (!isDisturbed(m, c)) break
  }
  best!.retries = Math.min(attempts, options.retries)
  if (isDisturbed(best!, c)) best!.disturbed = true
  return best!
}

function isDisturbed(m: Measurement, c: BenchCase): boolean {
  // bearer-cold's worker also waits for its JWK Set subrequests: it need not be saturated.
  return m.serverCoreOtherPct > DISTURBED_PCT || (c.instance !== 'cold' && m.workerCpuPct < SATURATED_PCT)
}

async function measureOnce(
  state: LegState,
  c: BenchCase,
  round: number,
  options: BenchOptions,
  idp: IdentityProvider,
  poolLua: string,
): Promise<Measurement> {
  let result: WrkResult
  let invalid: string | undefined
  let usage: Usage
  if (c.instance === 'cold') {
    // A fresh nginx, so its grant cache is empty and no pool token has been seen; warmed up on the
    // reused token (module loaded, JWKS fetched), then every request carries a new pool token.
    const cold = await startBenchNginx(state.runtime, 'cold', state.config, state.cache, state.snippets)
    try {
      await runWrk({ url: cold.url(c.path), connections: options.connections, durationS: 1, headers: headersOf(c, idp, state), core: LOAD_CORE })
      const meter = startUsage(cold.workerPid())
      result = await runWrk({ url: cold.url(c.path), connections: options.connections, durationS: options.durationS, script: poolLua, core: LOAD_CORE })
      usage = meter()
    } finally {
      await cold.stop()
    }
    const sent = Number(result.scriptOutput.SENT)
    if (!(sent <= idp.poolSize)) invalid = `sent ${sent} requests but the pool holds ${idp.poolSize} distinct tokens`
  } else {
    const meter = startUsage(instance(state, c).workerPid())
    result = await runWrk({
      url: instance(state, c).url(c.path),
      connections: options.connections,
      durationS: options.durationS,
      headers: headersOf(c, idp, state),
      core: LOAD_CORE,
    })
    usage = meter()
  }
  if (result.non2xx > 0) invalid = `${result.non2xx} answers were not 2xx`
  else if (result.socketErrors > result.requests / 1000) invalid = `${result.socketErrors} socket errors`
  return {
    round,
    rps: result.rps,
    requests: result.requests,
    p50Ms: result.p50Ms,
    p99Ms: result.p99Ms,
    non2xx: result.non2xx,
    socketErrors: result.socketErrors,
    workerCpuPct: usage.workerCpuPct,
    serverCoreOtherPct: usage.serverCoreOtherPct,
    serverCoreIrqPct: usage.serverCoreIrqPct,
    load1: usage.load1,
    workerUsPerRequest: Math.round((usage.workerCpuNs / 1000 / Math.max(1, result.requests)) * 100) / 100,
    ...(invalid === undefined ? {} : { invalid }),
  }
}

export type Usage = Pick<Measurement, 'workerCpuPct' | 'serverCoreOtherPct' | 'serverCoreIrqPct' | 'load1'> & { workerCpuNs: number }

/** Starts metering the server core; the returned function stops and reports. */
export function startUsage(workerPid: number): () => Usage {
  const load1 = loadAverage()
  const started = process.hrtime.bigint()
  const core0 = coreJiffies(SERVER_CORE)
  const worker0 = processJiffies(workerPid)
  const workerNs0 = processCpuNs(workerPid)
  return () => {
    const workerCpuNs = processCpuNs(workerPid) - workerNs0
    const elapsedJiffies = Number(process.hrtime.bigint() - started) / 1e7
    const worker = processJiffies(workerPid) - worker0
    const core = coreJiffies(SERVER_CORE)
    const pct = (j: number) => Math.round((j / elapsedJiffies) * 1000) / 10
    return {
      load1,
      workerCpuNs,
      workerCpuPct: pct(worker),
      serverCoreOtherPct: pct(Math.max(0, core.tasks - core0.tasks - worker)),
      serverCoreIrqPct: pct(core.irq - core0.irq),
    }
  }
}

/** p99 latency of each module case at half of its peak, against `none` at the same rate. */
