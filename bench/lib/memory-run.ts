/** Worker memory through a long run at many connections over the module's cases. */
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { delay } from '../../test/nginx-harness/processes'
import type { CaseId } from './cases'
import { BASIC_AUTHORIZATION, type LegState } from './legs'
import { log } from './log'
import { LOAD_CORE, workerMemory, type Memory } from './machine'
import type { BenchOptions } from './options'
import type { IdentityProvider } from './tokens'
import { mixScript, runWrk, type WrkResult } from './wrk'

const SOAK_SAMPLE_S = 10

/** Worker RSS before, during and after a long run at many connections over the module's cases. */
export async function soak(state: LegState, options: BenchOptions, idp: IdentityProvider, work: string): Promise<void> {
  const fixed: { path: string; authorization?: string }[] = []
  const has = (id: CaseId) => state.result.cases[id]?.status === 'measured'
  if (has('basic')) fixed.push({ path: '/basic', authorization: BASIC_AUTHORIZATION })
  if (has('access')) fixed.push({ path: '/access', authorization: BASIC_AUTHORIZATION })
  if (has('bearer-cached')) fixed.push({ path: '/bearer', authorization: `Bearer ${idp.cachedToken}` })
  if (fixed.length === 0) return
  const withPool = has('bearer-cached')
  const script = join(work, `mix-${state.runtime.name}.lua`)
  writeFileSync(script, mixScript(fixed, withPool ? idp.poolFile : undefined))
  const pid = state.main.workerPid()
  await delay(1000)
  const before = workerMemory(pid)
  const samples: { atS: number; memory: Memory }[] = []
  const started = Date.now()
  const sampler = setInterval(() => samples.push({ atS: Math.round((Date.now() - started) / 1000), memory: workerMemory(pid) }), SOAK_SAMPLE_S * 1000)
  let run: WrkResult
  try {
    run = await runWrk({ url: state.main.url('/basic'), connections: options.soakConnections, durationS: options.soakS, script, core: LOAD_CORE })
  } finally {
    clearInterval(sampler)
  }
  await delay(1000)
  const after = workerMemory(pid)
  const half = samples.find((s) => s.atS >= options.soakS / 2)?.memory ?? before
  const cases = fixed.map((f) => f.path).join(' + ') + (withPool ? ' + /bearer with pool tokens (1 in ' + (fixed.length + 1) + ')' : '')
  state.result.memory = {
    case: `round-robin over ${cases}`,
    connections: options.soakConnections,
    durationS: options.soakS,
    requests: run.requests,
    rps: run.rps,
    non2xx: run.non2xx,
    before,
    samples,
    after,
    growthKiB: after.vmRssKiB - before.vmRssKiB,
    secondHalfGrowthKiB: after.vmRssKiB - half.vmRssKiB,
  }
  log(
    `  ${state.runtime.name.padEnd(8)} VmRSS ${(before.vmRssKiB / 1024).toFixed(1)} → ${(after.vmRssKiB / 1024).toFixed(1)} MiB` +
      ` (${run.requests} requests, ${Math.round(run.rps)} req/s, ${run.non2xx} non-2xx; samples ${samples.map((s) => (s.memory.vmRssKiB / 1024).toFixed(1)).join(' ')})`,
  )
}
