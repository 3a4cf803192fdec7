/**
 * The peak-throughput runs: a warm-up of every case on every leg, then rounds in which every case
 * on every leg is measured once, case and leg order rotated from round to round so that machine
 * drift hits every case alike; medians and ratios over the rounds.
 */
import { headersOf, instance, type LegState } from './legs'
import { log } from './log'
import { LOAD_CORE, workerMemory } from './machine'
import { measure, type QuietBudget } from './measure'
import type { BenchOptions } from './options'
import { computeRatios, summariseCases } from './results'
import type { IdentityProvider } from './tokens'
import { runWrk } from './wrk'

/** Every case on every leg once, before round 1; then each leg's worker memory. */
export async function warmUp(states: LegState[], options: BenchOptions, idp: IdentityProvider): Promise<void> {
  log('\nwarm-up')
  for (const state of states) {
    for (const c of state.cases) {
      if (c.instance === 'cold') continue // a fresh nginx each time, warmed on its own
      await runWrk({ url: instance(state, c).url(c.path), connections: options.connections, durationS: options.warmupS, headers: headersOf(c, idp, state), core: LOAD_CORE })
    }
  }
  for (const state of states) {
    state.result.workerRss = { afterStartKiB: workerMemory(state.main.workerPid()).vmRssKiB, afterRoundsKiB: NaN }
  }
}

/** The interleaved rounds, then each leg's medians over them and its ratios. */
export async function interleavedRounds(
  states: LegState[],
  options: BenchOptions,
  idp: IdentityProvider,
  poolLua: string,
  quietWaits: QuietBudget,
): Promise<void> {
  for (let round = 1; round <= options.rounds; round++) {
    log(`\nround ${round}/${options.rounds}`)
    const caseOrder = rotate(options.cases, round - 1)
    const legOrder = rotate(states, round - 1)
    for (const id of caseOrder) {
      for (const state of legOrder) {
        const c = state.cases.find((x) => x.id === id)
        if (c === undefined) continue
        const m = await measure(state, c, round, options, idp, poolLua, quietWaits)
        state.result.cases[id].runs.push(m)
        log(
          `  ${state.runtime.name.padEnd(8)} ${id.padEnd(14)} ${(m.rps / 1000).toFixed(1).padStart(6)}k req/s` +
            `  p50 ${m.p50Ms.toFixed(2)} ms  p99 ${m.p99Ms.toFixed(2)} ms  worker ${m.workerCpuPct}% ${m.workerUsPerRequest.toFixed(1)} µs/req  others ${m.serverCoreOtherPct}%${m.disturbed ? ' DISTURBED' : ''}${m.invalid ? `  INVALID: ${m.invalid}` : ''}`,
        )
      }
    }
  }
  for (const state of states) {
    state.result.workerRss!.afterRoundsKiB = workerMemory(state.main.workerPid()).vmRssKiB
    summariseCases(state.result)
    computeRatios(state.result, state.runtime)
  }
}

function rotate<T>(items: readonly T[], by: number): T[] {
  const n = items.length
  if (n === 0) return []
  const shift = by % n
  return [...items.slice(shift), ...items.slice(0, shift)]
}
