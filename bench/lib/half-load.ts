/**
 * Added latency at half of each module case's peak: the open-loop client (openloop.ts) at half the
 * case's median req/s, against `none` at the same rate, in (case, none) pairs.
 */
import { readFileSync } from 'node:fs'
import { ADDED_P99_TARGET_MS, CASES, HALF_LOAD_CASES } from './cases'
import { headersOf, instance, type LegState } from './legs'
import { log } from './log'
import { LOAD_CORE, waitForQuiet } from './machine'
import { DISTURBED_PCT, startUsage, type QuietBudget, type Usage } from './measure'
import { httpGet, openLoop, type OpenLoopResult } from './openloop'
import type { BenchOptions } from './options'
import { halfLoadVerdict, type HalfLoadResult } from './results'
import { startBenchNginx, type BenchNginx } from './servers'
import type { IdentityProvider } from './tokens'
import { runWrk } from './wrk'

/** Connections of the open-loop client (it sends on an idle one, so most stay idle). */
const OPEN_LOOP_CONNECTIONS = 32

/** p99 latency of each module case at half of its peak, against `none` at the same rate. */
export async function halfLoad(
  state: LegState,
  options: BenchOptions,
  idp: IdentityProvider,
  quietWaits: QuietBudget,
): Promise<void> {
  const warmupS = Math.min(1, options.halfLoadS / 2)
  for (const id of HALF_LOAD_CASES) {
    const measured = state.result.cases[id]
    if (measured === undefined) continue
    const result: HalfLoadResult = { status: 'measured', targetMs: ADDED_P99_TARGET_MS }
    state.result.halfLoad[id] = result
    if (measured.median === undefined) {
      result.status = 'not available'
      result.reason = `${id}: ${measured.reason}`
      continue
    }
    const c = CASES[id]
    const rate = Math.round(measured.median.rps / 2)
    result.rate = rate
    if (c.instance === 'cold' && rate * (warmupS + options.halfLoadS) > idp.poolSize) {
      result.status = 'failed'
      result.reason = `${rate} req/s for ${warmupS + options.halfLoadS} s needs more than the ${idp.poolSize} pool tokens`
      continue
    }
    const headerObject: { [name: string]: string } = {}
    for (const line of headersOf(c, idp, state)) headerObject[line.slice(0, line.indexOf(':'))] = line.slice(line.indexOf(':') + 1).trim()
    const pairs: NonNullable<HalfLoadResult['pairs']> = []
    for (let pair = 0; pair < options.halfLoadRepeats; pair++) {
      let nginx: BenchNginx = instance(state, c)
      let cold: BenchNginx | undefined
      let nextRequest: () => Buffer
      if (c.instance === 'cold') {
        cold = await startBenchNginx(state.runtime, 'cold', state.config, state.cache, state.snippets)
        nginx = cold
        await runWrk({ url: cold.url(c.path), connections: options.connections, durationS: 1, headers: headersOf(c, idp, state), core: LOAD_CORE })
        const tokens = readFileSync(idp.poolFile, 'utf8').split('\n')
        let i = 0
        const port = cold.server.port
        nextRequest = () => httpGet(port, c.path, { Authorization: `Bearer ${tokens[i++]}` })
      } else {
        const request = httpGet(nginx.server.port, c.path, headerObject)
        nextRequest = () => request
      }
      let caseRun: OpenLoopResult
      let usage: Usage
      try {
        await waitForQuiet(quietWaits.nextWaitMs())
        const meter = startUsage(nginx.workerPid())
        caseRun = await openLoop({ port: nginx.server.port, rate, durationS: options.halfLoadS, warmupS, connections: OPEN_LOOP_CONNECTIONS, nextRequest })
        usage = meter()
      } finally {
        await cold?.stop()
      }
      const noneRequest = httpGet(state.main.server.port, CASES.none.path)
      await waitForQuiet(quietWaits.nextWaitMs())
      const noneRun = await openLoop({ port: state.main.server.port, rate, durationS: options.halfLoadS, warmupS, connections: OPEN_LOOP_CONNECTIONS, nextRequest: () => noneRequest })
      pairs.push({ caseRun, noneRun, addedP99Ms: caseRun.p99Ms - noneRun.p99Ms, serverCoreOtherPct: usage.serverCoreOtherPct })
      if (caseRun.errors > 0) {
        result.status = 'failed'
        result.reason = `${caseRun.errors} answers were not 200`
      }
    }
    // The pair with the median added latency stands for the case; all pairs are kept.
    const sorted = [...pairs].sort((a, b) => a.addedP99Ms - b.addedP99Ms)
    const middle = sorted[Math.floor((sorted.length - 1) / 2)]
    result.pairs = pairs
    result.caseRun = middle.caseRun
    result.noneRun = middle.noneRun
    halfLoadVerdict(result)
    const held = result.caseRun.achievedRate / rate
    log(
      `  ${state.runtime.name.padEnd(8)} ${id.padEnd(14)} @ ${(rate / 1000).toFixed(1)}k/s (held ${(held * 100).toFixed(0)}%)` +
        `  p99 ${result.caseRun.p99Ms.toFixed(3)} ms vs none ${result.noneRun.p99Ms.toFixed(3)} ms` +
        `  → added ${result.addedP99Ms?.toFixed(3)} ms ${result.verdict ?? ''}` +
        `  (pairs: ${pairs.map((p) => `${p.addedP99Ms.toFixed(3)}${p.serverCoreOtherPct > DISTURBED_PCT ? '*' : ''}`).join(', ')}; * disturbed)`,
    )
  }
}
