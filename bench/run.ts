/**
 * `npm run bench`: how fast authotron-njs authenticates inside one nginx worker, against the
 * mechanism's own floor, the cheapest possible sidecar and the njs ceiling, on every runtime leg.
 * Issue 5; method and results in docs/benchmarks.md.
 *
 * One run: compile the bench config with the real compiler, start one nginx per leg (1 worker,
 * pinned to core 0), warm every case up, then measure every case on every leg once per round with
 * wrk on core 1, rounds interleaved so that machine drift hits every case alike. Then latency at
 * half of each module case's peak (open-loop client), worker memory through a run at 256
 * connections, and the report: bench/results/<date>.json, bench/results/<date>.svg, a Markdown
 * summary on stdout. Targets are reported, never asserted: the exit code only says whether the
 * bench itself ran.
 *
 * This file is the run's outline; the steps are in lib/: legs.ts (config and per-leg nginx set-up,
 * probes), rounds.ts and measure.ts (the peak runs), half-load.ts, memory-run.ts, report.ts.
 */
import { existsSync, writeFileSync } from 'node:fs'
import { setPriority } from 'node:os'
import { join, relative } from 'node:path'
import { AUTHOTRON_CLI, AUTHOTRON_MODULE, makeTempDir, REPO_ROOT } from '../test/nginx-harness/paths'
import { halfLoad } from './lib/half-load'
import { compileConfigs, setUpLeg, stopLeg, type LegState } from './lib/legs'
import { log } from './lib/log'
import { describeMachine, LOAD_CORE, pin } from './lib/machine'
import { quietBudget } from './lib/measure'
import { soak } from './lib/memory-run'
import { parseOptions } from './lib/options'
import { gitState, METHOD, writeReport } from './lib/report'
import type { BenchResults } from './lib/results'
import { interleavedRounds, warmUp } from './lib/rounds'
import { BENCH_DIR } from './lib/servers'
import { keyFingerprint, startIdentityProvider } from './lib/tokens'
import { startFakeWhoAmI } from './lib/remote-bench'
import { poolScript, wrkVersion } from './lib/wrk'

/** Distinct RS256 tokens for bearer-cold: enough for one run of ≤ 3 s at ≤ 16k req/s. */
const POOL_SIZE = 50_000

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2))
  const startedAt = new Date()
  const date = startedAt.toISOString().slice(0, 10)
  const name = options.name ?? (options.quick ? `${date}-quick` : date)
  const outDir = options.outDir ?? join(BENCH_DIR, 'results')
  for (const file of [AUTHOTRON_MODULE, AUTHOTRON_CLI]) {
    if (!existsSync(file)) throw new Error(`${file} is missing. Fix: npm run build (npm run bench builds first)`)
  }

  // The token pool is signed on every core, before anything is measured; from then on this
  // process stays on the load core with wrk.
  const idp = await startIdentityProvider(POOL_SIZE, log)
  pin(process.pid, LOAD_CORE)
  try {
    setPriority(-20)
  } catch {
    // not root: normal priority
  }
  const quietWaits = quietBudget(options)
  const work = makeTempDir('bench')
  const poolLua = join(work, 'pool.lua')

  const results: BenchResults = {
    tool: 'authotron-njs bench',
    date,
    startedAt: startedAt.toISOString(),
    command: `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
    ...gitState(),
    options: { ...options },
    machine: describeMachine(await wrkVersion()),
    method: METHOD,
    identityProvider: { jwksUrl: idp.jwksUrl, poolSize: idp.poolSize, keyFingerprint: keyFingerprint() },
    legs: [],
  }
  log(`authotron-njs bench → ${relative(REPO_ROOT, join(outDir, name))}.{json,svg}`)
  log(`machine: ${results.machine.cpuModel}, ${results.machine.nproc} cores, Linux ${results.machine.kernel}; ${results.machine.wrk}`)

  // The remote-cached case's who-am-i (bench/fixtures/config.yaml's ecmwf provider).
  const whoAmI = await startFakeWhoAmI()
  const configs = await compileConfigs(idp, whoAmI.url, work, options.legs)
  const states: LegState[] = []
  try {
    for (const legName of options.legs) {
      const state = await setUpLeg(legName, options, configs, idp, results)
      if (state !== undefined) states.push(state)
    }
    writeFileSync(poolLua, poolScript('/bearer', idp.poolFile, false))

    const plan = states.reduce((n, s) => n + s.cases.length, 0)
    const perRound = plan * (options.durationS + 0.3)
    log(
      `\n${plan} case×leg pairs; ${options.rounds} rounds × ${options.durationS} s ≈ ${Math.round((perRound * options.rounds) / 60)} min` +
        `, then half load and ${options.soakS > 0 ? `${options.soakS} s memory runs` : 'no memory run'}`,
    )

    await warmUp(states, options, idp)
    await interleavedRounds(states, options, idp, poolLua, quietWaits)

    if (options.halfLoadS > 0) {
      log('\nhalf of peak load (open-loop client)')
      for (const state of states) await halfLoad(state, options, idp, quietWaits)
    }
    if (options.soakS > 0) {
      log(`\nmemory: ${options.soakS} s at ${options.soakConnections} connections per leg`)
      for (const state of states) await soak(state, options, idp, work)
    }
  } finally {
    for (const state of states) await stopLeg(state)
    results.identityProvider.jwksFetches = idp.jwksFetches()
    await idp.stop()
    await whoAmI.stop()
  }

  results.finishedAt = new Date().toISOString()
  writeReport(results, outDir, name)
}

main().then(
  () => process.exit(0),
  (error) => {
    process.stderr.write(`bench: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`)
    process.exit(1)
  },
)
