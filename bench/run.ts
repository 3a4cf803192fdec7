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
 */
import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { chmodSync, chownSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { setPriority } from 'node:os'
import { join, relative } from 'node:path'
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml'
import { compileConfig } from '../test/nginx-harness/compile'
import { probeVersions } from '../test/nginx-harness/nginx'
import { AUTHOTRON_CLI, AUTHOTRON_MODULE, makeTempDir, REPO_ROOT } from '../test/nginx-harness/paths'
import { delay } from '../test/nginx-harness/processes'
import { legByName, type RuntimeLeg } from '../test/nginx-harness/runtimes'
import { ADDED_P99_TARGET_MS, CASES, HALF_LOAD_CASES, type BenchCase, type CaseId } from './lib/cases'
import {
  coreJiffies,
  describeMachine,
  legPackages,
  loadAverage,
  LOAD_CORE,
  pin,
  processCpuNs,
  processJiffies,
  SERVER_CORE,
  waitForQuiet,
  workerMemory,
  type Memory,
} from './lib/machine'
import { httpGet, openLoop, type OpenLoopResult } from './lib/openloop'
import { parseOptions, type BenchOptions } from './lib/options'
import {
  computeRatios,
  halfLoadVerdict,
  markdownTables,
  summariseCases,
  type BenchResults,
  type HalfLoadResult,
  type LegResult,
  type Measurement,
} from './lib/results'
import { BENCH_DIR, CONTENT, startBenchNginx, type BenchNginx, type ConfigSnippets } from './lib/servers'
import { renderSvg } from './lib/svg'
import { keyFingerprint, startIdentityProvider, type IdentityProvider } from './lib/tokens'
import { mixScript, poolScript, runWrk, wrkVersion, type WrkResult } from './lib/wrk'

/** Distinct RS256 tokens for bearer-cold: enough for one run of ≤ 3 s at ≤ 16k req/s. */
const POOL_SIZE = 50_000
const BASIC_USER = 'bench'
const BASIC_PASSWORD = 'bench-password'
const BASIC_AUTHORIZATION = `Basic ${Buffer.from(`${BASIC_USER}:${BASIC_PASSWORD}`).toString('base64')}`
/** Connections of the open-loop client (it sends on an idle one, so most stay idle). */
const OPEN_LOOP_CONNECTIONS = 32
const SOAK_SAMPLE_S = 10

interface LegState {
  runtime: RuntimeLeg
  result: LegResult
  config: string
  snippets: ConfigSnippets
  cache: boolean
  main: BenchNginx
  nocache?: BenchNginx
  bare?: BenchNginx
  minimal?: BenchNginx
  /** The cases measured on this leg, in canonical order. */
  cases: BenchCase[]
}

const log = (line: string) => process.stdout.write(`${line}\n`)

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
  quietBudgetMs = options.quietBudgetS * 1000
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

  const configs = await compileConfigs(idp, work, options.legs)
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

    log('\nwarm-up')
    for (const state of states) {
      for (const c of state.cases) {
        if (c.instance === 'cold') continue // a fresh nginx each time, warmed on its own
        await runWrk({ url: instance(state, c).url(c.path), connections: options.connections, durationS: options.warmupS, headers: headersOf(c, idp), core: LOAD_CORE })
      }
    }
    for (const state of states) {
      state.result.workerRss = { afterStartKiB: workerMemory(state.main.workerPid()).vmRssKiB, afterRoundsKiB: NaN }
    }

    for (let round = 1; round <= options.rounds; round++) {
      log(`\nround ${round}/${options.rounds}`)
      const caseOrder = rotate(options.cases, round - 1)
      const legOrder = rotate(states, round - 1)
      for (const id of caseOrder) {
        for (const state of legOrder) {
          const c = state.cases.find((x) => x.id === id)
          if (c === undefined) continue
          const m = await measure(state, c, round, options, idp, poolLua)
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

    if (options.halfLoadS > 0) {
      log('\nhalf of peak load (open-loop client)')
      for (const state of states) await halfLoad(state, options, idp)
    }
    if (options.soakS > 0) {
      log(`\nmemory: ${options.soakS} s at ${options.soakConnections} connections per leg`)
      for (const state of states) await soak(state, options, idp, work)
    }
  } finally {
    for (const state of states) {
      await state.main.stop()
      await state.nocache?.stop()
      await state.bare?.stop()
      await state.minimal?.stop()
    }
    results.identityProvider.jwksFetches = idp.jwksFetches()
    await idp.stop()
  }

  results.finishedAt = new Date().toISOString()
  mkdirSync(outDir, { recursive: true })
  const jsonFile = join(outDir, `${name}.json`)
  const svgFile = join(outDir, `${name}.svg`)
  writeFileSync(jsonFile, JSON.stringify(results, null, 2) + '\n')
  writeFileSync(svgFile, renderSvg({ ...results, date: name }))
  const tables = markdownTables(results)
  writeFileSync(join(outDir, `${name}.md`), `<!-- written by bench/run.ts; quoted in docs/benchmarks.md -->\n${tables}\n`)
  log(`\n${tables}`)
  log(`wrote ${relative(REPO_ROOT, jsonFile)}, ${relative(REPO_ROOT, svgFile)} and ${name}.md`)
}

// ---------------------------------------------------------------------------------------------
// Set-up

interface Configs {
  /** Compiled with the jwt provider, when the compiler accepted it. */
  withJwt?: string
  /** What `--nginx-snippets` wrote for it (when the compiler has that option). */
  snippets: ConfigSnippets
  /** Why bearer results may be missing, to add to a failed probe's reason. */
  bearerHint?: string
  withJwtProblem?: string
  /** Compiled without it (the fallback when the module cannot run the jwt provider). */
  plain: string
}

async function compileConfigs(idp: IdentityProvider, work: string, legs: string[]): Promise<Configs> {
  // The compiler writes 0600 (the file holds the JWT secret); QuickJS workers (nobody) read it.
  const gids = [...new Set(legs.map((name) => legByName(name).workerGroupId))]
  if (gids.length > 1) throw new Error(`legs ${legs.join(', ')} run their workers under different groups`)
  const access = { workerGroupId: gids[0] }
  const yamlText = readFileSync(join(BENCH_DIR, 'fixtures/config.yaml'), 'utf8').replaceAll('${JWKS_URL}', idp.jwksUrl)
  const plainDoc = parseYaml(yamlText) as { providers: { type: string }[] }
  plainDoc.providers = plainDoc.providers.filter((p) => p.type !== 'jwt')
  const plain = await compileConfig(stringifyYaml(plainDoc), dir(work, 'config-plain'), access)
  const snippets: ConfigSnippets = { http: [], server: [] }
  try {
    const jwtDir = dir(work, 'config-jwt')
    const withJwt = await compileConfig(yamlText, jwtDir, access)
    const help = execFileSync(process.execPath, [AUTHOTRON_CLI, 'compile', '--help'], { encoding: 'utf8' })
    if (!help.includes('--nginx-snippets')) {
      return {
        withJwt,
        plain,
        snippets,
        bearerHint:
          '`authotron compile` has no --nginx-snippets yet, so the JWK Set locations the jwt provider fetches keys through (src/njs/jwks.ts) cannot be generated',
      }
    }
    // The same compile again with the snippets (the harness's compileConfig has no such option).
    const snippetDir = dir(jwtDir, 'snippets')
    execFileSync(process.execPath, [AUTHOTRON_CLI, 'compile', join(jwtDir, 'config.yaml'), '-o', withJwt, '--nginx-snippets', snippetDir], { stdio: 'pipe' })
    if (process.getuid?.() === 0) {
      chownSync(withJwt, 0, access.workerGroupId)
      chmodSync(withJwt, 0o640)
    }
    for (const file of readdirSync(snippetDir).filter((f) => f.endsWith('.conf')).sort()) {
      const path = join(snippetDir, file)
      // A file of `location` blocks goes into the server; anything else (proxy_cache_path …) into http.
      if (/^\s*location\b/m.test(readFileSync(path, 'utf8'))) snippets.server.push(path)
      else snippets.http.push(path)
    }
    log(`jwt provider snippets: ${[...snippets.http, ...snippets.server].map((f) => relative(work, f)).join(', ') || 'none written'}`)
    return { withJwt, plain, snippets }
  } catch (error) {
    const problem = `the compiler refuses the config with a \`type: jwt\` provider: ${firstLines((error as Error).message, 3)}`
    log(`bearer cases: not available: ${problem}`)
    return { withJwtProblem: problem, plain, snippets }
  }
}

async function setUpLeg(
  legName: string,
  options: BenchOptions,
  configs: Configs,
  idp: IdentityProvider,
  results: BenchResults,
): Promise<LegState | undefined> {
  const runtime = legByName(legName)
  const result: LegResult = {
    leg: runtime.name as LegResult['leg'],
    description: runtime.description,
    status: 'measured',
    packages: legPackages(runtime.name as LegResult['leg']),
    features: runtime.features,
    config: '',
    grantCache: runtime.features.sharedDict,
    cases: {},
    ratios: {},
    halfLoad: {},
  }
  results.legs.push(result)
  const missing = runtime.missing()
  if (missing !== undefined) {
    result.status = 'not available'
    result.reason = missing
    log(`leg ${legName}: not available: ${missing}`)
    return undefined
  }
  result.versions = await probeVersions(runtime)
  log(`leg ${legName}: nginx ${result.versions.nginx}, njs ${result.versions.njs} (${result.versions.engine})`)
  const cache = runtime.features.sharedDict

  let bearerProblem = configs.withJwtProblem
  let config = configs.withJwt ?? configs.plain
  const noSnippets: ConfigSnippets = { http: [], server: [] }
  let snippets = config === configs.withJwt ? configs.snippets : noSnippets
  let main = await startBenchNginx(runtime, 'main', config, cache, snippets)
  const firstBasic = await probe(main, CASES.basic, idp)
  if (firstBasic !== undefined && config === configs.withJwt) {
    // Does a jwt provider in the config break the module as a whole on this leg?
    await main.stop()
    config = configs.plain
    snippets = noSnippets
    main = await startBenchNginx(runtime, 'main', config, cache, snippets)
    if ((await probe(main, CASES.basic, idp)) === undefined) {
      bearerProblem = `with a \`type: jwt\` provider in the config the module fails even for Basic (${firstBasic}); measured with the config without it`
    }
  }
  result.config = config === configs.withJwt ? 'bench/fixtures/config.yaml (plain + jwt providers)' : 'bench/fixtures/config.yaml without the jwt provider'
  const state: LegState = { runtime, result, config, snippets, cache, main, cases: [] }

  for (const id of options.cases) {
    const c = CASES[id]
    const notAvailable = (reason: string) => {
      result.cases[id] = { status: 'not available', reason, runs: [] }
      log(`  ${legName} ${id}: not available: ${reason}`)
    }
    const unsupported = c.unsupported?.(runtime)
    if (unsupported !== undefined) {
      notAvailable(unsupported)
      continue
    }
    if ((id === 'bearer-cold' || id === 'bearer-cached') && bearerProblem !== undefined) {
      notAvailable(bearerProblem)
      continue
    }
    if (c.instance === 'nocache' && state.nocache === undefined) {
      state.nocache = await startBenchNginx(runtime, 'nocache', config, false, snippets)
    }
    if (c.instance === 'bare' && state.bare === undefined) {
      state.bare = await startBenchNginx(runtime, 'bare', undefined, false)
    }
    if (c.instance === 'minimal' && state.minimal === undefined) {
      state.minimal = await startBenchNginx(runtime, 'minimal', undefined, true)
    }
    // bearer-cold is probed where it runs (a fresh nginx) with the reused token, so the pool stays unseen.
    const target = c.instance === 'cold' ? undefined : instance(state, c)
    let problem: string | undefined
    if (target !== undefined) problem = await probe(target, c, idp)
    else {
      const cold = await startBenchNginx(runtime, 'cold', config, cache, snippets)
      try {
        problem = await probe(cold, CASES['bearer-cached'], idp)
      } finally {
        await cold.stop()
      }
    }
    if (problem !== undefined) {
      if (id.startsWith('bearer') && !existsSync(join(REPO_ROOT, 'src/providers/jwt.ts'))) {
        problem += ' — src/providers/jwt.ts does not exist yet: this module has no `type: jwt` provider'
      } else if (id.startsWith('bearer') && configs.bearerHint !== undefined) {
        problem += ` — ${configs.bearerHint}`
      }
      notAvailable(problem)
      continue
    }
    result.cases[id] = { status: 'measured', runs: [] }
    state.cases.push(c)
  }
  return state
}

function instance(state: LegState, c: BenchCase): BenchNginx {
  if (c.instance === 'nocache') return state.nocache!
  if (c.instance === 'bare') return state.bare!
  if (c.instance === 'minimal') return state.minimal!
  return state.main
}

function headersOf(c: BenchCase, idp: IdentityProvider): string[] {
  if (c.credential === 'basic') return [`Authorization: ${BASIC_AUTHORIZATION}`]
  if (c.credential === 'bearer-cached' || c.credential === 'bearer-pool') return [`Authorization: Bearer ${idp.cachedToken}`]
  return []
}

/**
 * Why `c` does not work on `nginx` (undefined when it does): the protected file must come back
 * with the case's credential, and a case that authenticates must refuse a request without one.
 */
async function probe(nginx: BenchNginx, c: BenchCase, idp: IdentityProvider): Promise<string | undefined> {
  const logOffset = nginx.server.errorLogSize()
  const headers: { [name: string]: string } = {}
  for (const line of headersOf(c, idp)) {
    const at = line.indexOf(':')
    headers[line.slice(0, at)] = line.slice(at + 1).trim()
  }
  const logged = () => {
    const lines = nginx.server
      .errorLogSince(logOffset)
      .split('\n')
      .filter((line) => /\[(error|warn|alert|crit|emerg)\]/.test(line))
      .map((line) => line.replace(/^\S+ \S+ \[(\w+)\] \d+#\d+: (\*\d+ )?/, '[$1] ').replace(/, client: .*$/, ''))
    return lines.length > 0 ? `; nginx logged: ${lines.slice(-2).join(' | ')}` : ''
  }
  try {
    const response = await fetch(nginx.url(c.path), { headers })
    const body = await response.text()
    if (response.status !== 200) return `GET ${c.path} with a valid credential answered ${response.status}${logged()}`
    if (body !== CONTENT) return `GET ${c.path} answered 200 but not the protected file`
    if (c.refusesAnonymous) {
      const anonymous = await fetch(nginx.url(c.path))
      await anonymous.arrayBuffer()
      if (anonymous.status !== 401) return `GET ${c.path} without credentials answered ${anonymous.status}, not 401`
    }
  } catch (error) {
    return `GET ${c.path} failed: ${(error as Error).message}${logged()}`
  }
  return undefined
}

// ---------------------------------------------------------------------------------------------
// Measurements

/** Core 0 time taken by other processes above which a run counts as disturbed, %. */
const DISTURBED_PCT = 10
/** Below this worker CPU use the server was not the bottleneck (the load core was disturbed), %. */
const SATURATED_PCT = 85
let quietBudgetMs = 0

/**
 * One measurement on a quiet machine: waits (bounded) for both cores to be idle, runs, and runs
 * again (at most options.retries times) when other processes took more than DISTURBED_PCT of the
 * server core meanwhile or the worker was not saturated, keeping the least disturbed run.
 * Disturbed runs that remain are flagged. (Worker CPU per request is hardly affected either way.)
 */
async function measure(
  state: LegState,
  c: BenchCase,
  round: number,
  options: BenchOptions,
  idp: IdentityProvider,
  poolLua: string,
): Promise<Measurement> {
  let best: Measurement | undefined
  let attempts = 0
  const disturbance = (m: Measurement) => m.serverCoreOtherPct + Math.max(0, SATURATED_PCT - m.workerCpuPct)
  for (; attempts <= options.retries; attempts++) {
    const wait = Math.min(options.quietWaitS * 1000, quietBudgetMs)
    const quiet = await waitForQuiet(wait)
    quietBudgetMs = Math.max(0, quietBudgetMs - quiet.waitedMs)
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
      await runWrk({ url: cold.url(c.path), connections: options.connections, durationS: 1, headers: headersOf(c, idp), core: LOAD_CORE })
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
      headers: headersOf(c, idp),
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

type Usage = Pick<Measurement, 'workerCpuPct' | 'serverCoreOtherPct' | 'serverCoreIrqPct' | 'load1'> & { workerCpuNs: number }

/** Starts metering the server core; the returned function stops and reports. */
function startUsage(workerPid: number): () => Usage {
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
async function halfLoad(state: LegState, options: BenchOptions, idp: IdentityProvider): Promise<void> {
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
    for (const line of headersOf(c, idp)) headerObject[line.slice(0, line.indexOf(':'))] = line.slice(line.indexOf(':') + 1).trim()
    const pairs: NonNullable<HalfLoadResult['pairs']> = []
    for (let pair = 0; pair < options.halfLoadRepeats; pair++) {
      let nginx: BenchNginx = instance(state, c)
      let cold: BenchNginx | undefined
      let nextRequest: () => Buffer
      if (c.instance === 'cold') {
        cold = await startBenchNginx(state.runtime, 'cold', state.config, state.cache, state.snippets)
        nginx = cold
        await runWrk({ url: cold.url(c.path), connections: options.connections, durationS: 1, headers: headersOf(c, idp), core: LOAD_CORE })
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
        await waitForQuiet(Math.min(options.quietWaitS * 1000, quietBudgetMs))
        const meter = startUsage(nginx.workerPid())
        caseRun = await openLoop({ port: nginx.server.port, rate, durationS: options.halfLoadS, warmupS, connections: OPEN_LOOP_CONNECTIONS, nextRequest })
        usage = meter()
      } finally {
        await cold?.stop()
      }
      const noneRequest = httpGet(state.main.server.port, CASES.none.path)
      await waitForQuiet(Math.min(options.quietWaitS * 1000, quietBudgetMs))
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

/** Worker RSS before, during and after a long run at many connections over the module's cases. */
async function soak(state: LegState, options: BenchOptions, idp: IdentityProvider, work: string): Promise<void> {
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

// ---------------------------------------------------------------------------------------------

const METHOD: { [key: string]: string } = {
  worker: 'nginx with worker_processes 1 (master and worker pinned to core 0 with taskset); access_log off',
  load: 'Debian wrk 4.1.0, one thread, pinned to core 1 with this process; --latency percentiles',
  rounds: 'every case on every leg once per round, case and leg order rotated each round; medians over rounds',
  content: 'every case serves the same static file (bench/fixtures/content.txt); only the guard differs',
  sidecar: 'auth_request to an internal location proxying over upstream keepalive (HTTP/1.1, Connection "") to a second server block of the same nginx answering `return 200`',
  empty: 'auth_request to an internal js_content handler that only answers 200 (bench/njs/empty.js)',
  module: 'dist/authotron.js with nginx/authotron-endpoints.conf + authotron-protect.conf (auth_request) or authotron-access.conf (js_access), and authotron-cache.conf where the leg has js_shared_dict_zone; config compiled by `node dist/cli.mjs compile`, loaded with js_preload_object and js_var $authotron_config_file',
  'bearer-cold': 'a fresh nginx per measurement (empty grant cache), warmed up for 1 s on the reused token, then a new RS256 token (RSA-2048) per request from a pool of distinct tokens',
  halfLoad: 'open-loop client (bench/lib/openloop.ts): fixed request schedule at half the median peak req/s, latency from the scheduled send time (no coordinated omission, as wrk2); added = p99(case) − p99(none) at the same rate',
  memory: 'worker VmRSS from /proc/<pid>/status before, every 10 s during and after a wrk run at 256 connections over the module cases',
}

function gitState(): { gitCommit: string; gitDirty: boolean } {
  try {
    const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: REPO_ROOT, encoding: 'utf8' }).trim()
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src', 'nginx', 'build.mjs'], { cwd: REPO_ROOT, encoding: 'utf8' }).trim()
    const bundle = createHash('sha256').update(readFileSync(AUTHOTRON_MODULE)).digest('hex').slice(0, 12)
    return { gitCommit: `${commit} (dist/authotron.js sha256 ${bundle})`, gitDirty: dirty !== '' }
  } catch {
    return { gitCommit: 'unknown', gitDirty: true }
  }
}

function rotate<T>(items: readonly T[], by: number): T[] {
  const n = items.length
  if (n === 0) return []
  const shift = by % n
  return [...items.slice(shift), ...items.slice(0, shift)]
}

function dir(parent: string, name: string): string {
  const path = join(parent, name)
  mkdirSync(path, { recursive: true })
  return path
}

function firstLines(text: string, count: number): string {
  return text.split('\n').filter((line) => line.trim() !== '').slice(0, count).join(' ')
}

main().then(
  () => process.exit(0),
  (error) => {
    process.stderr.write(`bench: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`)
    process.exit(1)
  },
)

