/**
 * Two bundles of the module side by side, in one run: the same bench nginx twice on each leg (one
 * importing a baseline bundle, one the leg's own: dist/authotron.js, or dist/authotron-qjs.js on
 * QuickJS, so compare with a QuickJS bundle there), measured in interleaved rounds with the
 * sidecar, so that the machine's drift — on a shared VM often ±30 % between runs minutes apart —
 * hits both alike. A change to the module's hot path is judged by the per-round ratio of worker
 * CPU per request, baseline / current, never by two runs of `npm run bench` one after the other.
 *
 *   git show HEAD~1:dist/authotron.js > /tmp/before.js
 *   npx tsx bench/ab.ts --baseline /tmp/before.js [--legs trixie,sid] [--cases basic,access]
 *                       [--rounds 7] [--duration 3] [--name NAME]
 *   npx tsx bench/ab.ts --metrics [--legs …]   the leg's bundle without (baseline) and with
 *                                             nginx/authotron-metrics.conf (current)
 *   npx tsx bench/ab.ts --lockout [--legs …]   the same, without and with auth.lockout (and its zone)
 *
 * Cases: the bench's Basic cases on the main instance (`basic`, and `access` where js_access
 * exists). The config is the bench's without its jwt provider. Writes bench/results/<name>.{json,md}
 * when --name is given; prints the table either way. Only talks to 127.0.0.1.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml'
import { compileConfig } from '../test/nginx-harness/compile'
import { authotronModuleFor } from '../test/nginx-harness/nginx'
import { AUTHOTRON_MODULE, AUTHOTRON_QJS_MODULE, makeTempDir } from '../test/nginx-harness/paths'
import { isLegName, legByName, type RuntimeLeg } from '../test/nginx-harness/runtimes'
import { CASES, type CaseId } from './lib/cases'
import { LOAD_CORE, pin, processCpuNs } from './lib/machine'
import { BENCH_DIR, startBenchNginx, type BenchNginx } from './lib/servers'
import { runWrk } from './lib/wrk'

const BASIC = `Authorization: Basic ${Buffer.from('bench:bench-password').toString('base64')}`
const CONNECTIONS = 64
const AB_CASES: CaseId[] = ['basic', 'access']

function option(name: string, fallback?: string): string {
  const index = process.argv.indexOf(name)
  if (index !== -1 && process.argv[index + 1] !== undefined) return process.argv[index + 1]
  if (fallback === undefined) throw new Error(`${name} is required (see the comment at the top of bench/ab.ts)`)
  return fallback
}

interface Run {
  round: number
  /** Worker CPU per request, µs. */
  us: number
  rps: number
}

/** One measured thing on a leg: the sidecar, or a case on the baseline or the current bundle. */
interface Series {
  label: string
  nginx: BenchNginx
  path: string
  headers: string[]
  runs: Run[]
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}

async function measure(series: Series, round: number, durationS: number): Promise<void> {
  const pid = series.nginx.workerPid()
  const before = processCpuNs(pid)
  const result = await runWrk({ url: series.nginx.url(series.path), connections: CONNECTIONS, durationS, headers: series.headers, core: LOAD_CORE })
  const used = processCpuNs(pid) - before
  if (result.non2xx > 0 || result.socketErrors > 0) {
    throw new Error(`${series.label}: ${result.non2xx} non-2xx answers, ${result.socketErrors} socket errors:\n${series.nginx.errorLog().slice(-2000)}`)
  }
  series.runs.push({ round, us: used / 1000 / result.requests, rps: result.rps })
}

async function compiledBenchConfig(work: string, leg: RuntimeLeg, lockout = false): Promise<string> {
  const doc = parseYaml(readFileSync(join(BENCH_DIR, 'fixtures/config.yaml'), 'utf8')) as { providers: { type: string }[]; auth?: object }
  doc.providers = doc.providers.filter((provider) => provider.type !== 'jwt' && provider.type !== 'ecmwf-api')
  if (lockout) doc.auth = { ...doc.auth, lockout: {} }
  const dir = join(work, 'config')
  mkdirSync(dir, { recursive: true })
  return compileConfig(stringifyYaml(doc), dir, { workerGroupId: leg.workerGroupId })
}

async function main(): Promise<void> {
  const metricsMode = process.argv.includes('--metrics')
  const lockoutMode = process.argv.includes('--lockout')
  // Without --baseline (the metrics and lockout modes) each leg's baseline is its own bundle.
  const baselineFile = metricsMode || lockoutMode ? undefined : resolve(option('--baseline'))
  if (baselineFile !== undefined && !existsSync(baselineFile)) throw new Error(`--baseline ${baselineFile}: no such file`)
  const baseline = baselineFile ?? 'the leg\'s own bundle'
  if (!existsSync(AUTHOTRON_MODULE)) throw new Error(`${AUTHOTRON_MODULE} is missing. Fix: npm run build`)
  const legNames = option('--legs', 'trixie,sid,sid-qjs').split(',')
  for (const name of legNames) if (!isLegName(name)) throw new Error(`--legs: unknown leg ${name}`)
  const cases = option('--cases', AB_CASES.join(',')).split(',') as CaseId[]
  for (const id of cases) if (!AB_CASES.includes(id)) throw new Error(`--cases: ${id} is not one of ${AB_CASES.join(', ')}`)
  const rounds = Number(option('--rounds', '7'))
  const durationS = Number(option('--duration', '3'))
  const name = process.argv.includes('--name') ? option('--name') : undefined
  pin(process.pid, LOAD_CORE)
  const work = makeTempDir('bench-ab')

  const legs: { leg: RuntimeLeg; series: Series[]; stop: () => Promise<void> }[] = []
  try {
    for (const legName of legNames) {
      const leg = legByName(legName)
      const missing = leg.missing()
      if (missing !== undefined) throw new Error(`leg ${legName}: ${missing}`)
      const config = await compiledBenchConfig(join(work, legName), leg)
      const cache = leg.features.sharedDict
      const current = authotronModuleFor(leg)
      const before = await startBenchNginx(leg, 'main', config, cache, undefined, baselineFile ?? current)
      const afterConfig = lockoutMode ? await compiledBenchConfig(join(work, legName + '-lockout'), leg, true) : config
      const afterKind = metricsMode ? 'metrics' : lockoutMode ? 'lockout' : 'main'
      const after = await startBenchNginx(leg, afterKind, afterConfig, cache, undefined, current)
      const series: Series[] = [{ label: 'sidecar', nginx: after, path: CASES.sidecar.path, headers: [], runs: [] }]
      for (const id of cases) {
        if (CASES[id].unsupported?.(leg) !== undefined) continue
        series.push({ label: `${id} baseline`, nginx: before, path: CASES[id].path, headers: [BASIC], runs: [] })
        series.push({ label: `${id} current`, nginx: after, path: CASES[id].path, headers: [BASIC], runs: [] })
      }
      legs.push({ leg, series, stop: async () => { await before.stop(); await after.stop() } })
      process.stdout.write(`leg ${legName}: ${series.map((s) => s.label).join(', ')}\n`)
    }
    for (const { series } of legs) for (const s of series) await runWrk({ url: s.nginx.url(s.path), connections: CONNECTIONS, durationS: 1, headers: s.headers, core: LOAD_CORE })
    for (let round = 1; round <= rounds; round++) {
      const all = legs.flatMap(({ leg, series }) => series.map((s) => ({ leg, s })))
      const shift = (round - 1) % all.length
      for (const { leg, s } of [...all.slice(shift), ...all.slice(0, shift)]) {
        await measure(s, round, durationS)
        const last = s.runs[s.runs.length - 1]
        process.stdout.write(`  round ${round} ${leg.name.padEnd(8)} ${s.label.padEnd(18)} ${last.us.toFixed(1).padStart(6)} µs/req ${(last.rps / 1000).toFixed(1).padStart(6)}k req/s\n`)
      }
    }
  } finally {
    for (const { stop } of legs) await stop()
  }

  const lines = [
    `bench/ab.ts: baseline ${baseline}${metricsMode ? ' without nginx/authotron-metrics.conf' : lockoutMode ? ' without auth.lockout' : ''} vs the leg's own bundle (${AUTHOTRON_MODULE}; ${AUTHOTRON_QJS_MODULE} on QuickJS)${metricsMode || lockoutMode ? ' with it' : ''}; ${rounds} rounds × ${durationS} s, wrk -c${CONNECTIONS}, 1 worker; worker CPU µs per request (median of rounds)`,
    '',
    '| leg | case | baseline µs | current µs | baseline / current (per-round range) | `/sidecar` baseline → current |',
    '|---|---|---|---|---|---|',
  ]
  const report: unknown[] = []
  for (const { leg, series } of legs) {
    const sidecar = series[0]
    for (const id of cases) {
      const a = series.find((s) => s.label === `${id} baseline`)
      const b = series.find((s) => s.label === `${id} current`)
      if (a === undefined || b === undefined) continue
      const perRound = a.runs.map((run, i) => run.us / b.runs[i].us)
      const sidecarUs = median(sidecar.runs.map((run) => run.us))
      const [aUs, bUs] = [median(a.runs.map((run) => run.us)), median(b.runs.map((run) => run.us))]
      lines.push(
        `| ${leg.name} | \`${id}\` | ${aUs.toFixed(1)} | ${bUs.toFixed(1)} | **${median(perRound).toFixed(3)}** (${Math.min(...perRound).toFixed(3)}–${Math.max(...perRound).toFixed(3)}) | ${(sidecarUs / aUs).toFixed(2)} → ${(sidecarUs / bUs).toFixed(2)} |`,
      )
      report.push({ leg: leg.name, case: id, baseline: a.runs, current: b.runs, sidecar: sidecar.runs })
    }
  }
  const table = lines.join('\n')
  process.stdout.write(`\n${table}\n`)
  if (name !== undefined) {
    const out = join(BENCH_DIR, 'results')
    writeFileSync(join(out, `${name}.json`), JSON.stringify({ tool: 'bench/ab.ts', date: new Date().toISOString(), baseline, current: 'the leg\'s own bundle', rounds, durationS, results: report }, null, 2) + '\n')
    writeFileSync(join(out, `${name}.md`), `<!-- written by bench/ab.ts -->\n${table}\n`)
    process.stdout.write(`wrote bench/results/${name}.{json,md}\n`)
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    process.stderr.write(`ab: ${error instanceof Error ? error.message : String(error)}\n`)
    process.exit(1)
  },
)
