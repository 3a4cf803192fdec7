/**
 * `npm run soak`: is the module's worker memory flat under a long mixed load, on every leg (issue 13)?
 *
 * Per leg: the bench config (bench/fixtures/config.yaml, plus 500 users for `basic-rotate`) compiled
 * by the real compiler with its JWK Set snippets, the module loaded as the README says (the harness
 * writes the operator's js_import / js_preload_object / js_var lines), one worker, the bench's
 * loopback identity provider (bench/lib/tokens.ts). wrk sends every kind of bench/lib/soak-mix.ts
 * in turn (Basic hits, valid users in turn, unknown users, wrong passwords, no credentials, RS256
 * first use from a pool and reuse, and every endpoint) at --connections for --minutes, in
 * one-minute runs; each answer's status is checked against its kind. Worker VmRSS and VmHWM are
 * sampled every 10 s in the first minute and then every minute.
 *
 * Verdict per leg: growth after the first minute (VmRSS at the end − VmRSS at 1:00) < 1 MiB.
 * Writes bench/results/<name>.md and .json (name default `soak-<date>`).
 *
 *   npm run soak -- [--legs bookworm,trixie,sid,sid-qjs] [--minutes 10] [--connections 256]
 *                   [--kinds basic-hit,bearer-first] [--pool 100000] [--jwks-ttl S] [--context-reuse N]
 *                   [--context-reuse-max-size 16m]
 *                   [--name soak-…] [--no-write]
 *
 * Only talks to 127.0.0.1; every wrk run is bounded. nginx and wrk inherit this process's
 * niceness (run it with `nice -n 10` on a shared machine); nginx's worker and wrk are pinned to
 * the bench's two cores.
 */
import { execFileSync } from 'node:child_process'
import { chmodSync, chownSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml'
import { JWKS_LOCATIONS_SNIPPET } from '../src/providers/jwt/nginx-snippets'
import {
  probeVersions,
  startNginx,
  type LegVersions,
  type NginxServer,
} from '../test/nginx-harness/nginx'
import { AUTHOTRON_CLI, makeTempDir, REPO_ROOT } from '../test/nginx-harness/paths'
import { childPids, delay } from '../test/nginx-harness/processes'
import { LOCAL_LEG_NAMES, legByName, type RuntimeLeg } from '../test/nginx-harness/runtimes'
import { LOAD_CORE, pin, SERVER_CORE } from './lib/machine'
import { BENCH_DIR, CONTENT_FILE, type ConfigSnippets } from './lib/servers'
import {
  rotateUsers,
  soakKinds,
  soakScript,
  soakServerConf,
  writeCredentialFiles,
  type SoakKind,
} from './lib/soak-mix'
import { startIdentityProvider, type IdentityProvider } from './lib/tokens'
import { parseWrk, runWrkCommand, WRK } from './lib/wrk'

const MIB = 1024
/** The verdict: growth after the first minute below this. */
const LIMIT_KIB = 1 * MIB

interface Options {
  legs: string[]
  minutes: number
  connections: number
  kinds?: string[]
  pool: number
  name: string
  write: boolean
  /** The jwt provider's jwks_ttl in seconds (default: the config's, i.e. 600). */
  jwksTtlS?: number
  /** `js_context_reuse N;` on the QuickJS leg (njs's default: 128 pooled contexts per worker). */
  contextReuse?: number
  /** `js_context_reuse_max_size SIZE;` on the QuickJS leg (njs's default: 4m; a larger context is freed). */
  contextReuseMaxSize?: string
}

interface Sample {
  atS: number
  vmRssKiB: number
  vmHwmKiB: number
  /** VmRSS = RssAnon (the worker's own heap) + RssFile (mapped files) + RssShmem (shared zones it touched). */
  rssAnonKiB: number
  rssFileKiB: number
  rssShmemKiB: number
}

interface MinuteRun {
  minute: number
  requests: number
  rps: number
  socketErrors: number
  sent: { [kind: string]: number }
  ok: { [kind: string]: number }
  unexpected: { [kindAndStatus: string]: number }
  /** Worker memory right after this minute's run. */
  after?: Sample
}

interface LegSoak {
  leg: string
  versions?: LegVersions
  status: 'measured' | 'not available' | 'failed'
  reason?: string
  samples: Sample[]
  minutes: MinuteRun[]
  requests: number
  unexpected: number
  /** VmRSS at the end − VmRSS after the first minute. */
  growthAfterFirstMinuteKiB?: number
  /** The same for RssAnon alone (the worker's private memory, without the shared zones' pages). */
  anonGrowthAfterFirstMinuteKiB?: number
  pass?: boolean
}

function parseOptions(argv: string[]): Options {
  const value = (name: string) => {
    const index = argv.indexOf(name)
    return index === -1 ? undefined : argv[index + 1]
  }
  const known = [
    '--legs',
    '--minutes',
    '--connections',
    '--kinds',
    '--pool',
    '--name',
    '--no-write',
    '--jwks-ttl',
    '--context-reuse',
    '--context-reuse-max-size',
  ]
  const unknown = argv.filter(
    (a, i) => a.startsWith('--') && !known.includes(a) && !known.includes(argv[i - 1]),
  )
  if (unknown.length > 0)
    throw new Error(`unknown option ${unknown.join(' ')} (known: ${known.join(' ')})`)
  const minutes = Number(value('--minutes') ?? '10')
  if (!(minutes >= 1) || !Number.isInteger(minutes))
    throw new Error('--minutes: a whole number ≥ 1')
  return {
    legs: (value('--legs') ?? LOCAL_LEG_NAMES.join(',')).split(','),
    minutes,
    connections: Number(value('--connections') ?? '256'),
    kinds: value('--kinds')?.split(','),
    pool: Number(value('--pool') ?? '100000'),
    name: value('--name') ?? `soak-${new Date().toISOString().slice(0, 10)}`,
    write: !argv.includes('--no-write'),
    jwksTtlS: value('--jwks-ttl') === undefined ? undefined : Number(value('--jwks-ttl')),
    contextReuse:
      value('--context-reuse') === undefined ? undefined : Number(value('--context-reuse')),
    contextReuseMaxSize: value('--context-reuse-max-size'),
  }
}

function log(line: string): void {
  process.stdout.write(`${line}\n`)
}

function workerStatus(pid: number): Omit<Sample, 'atS'> {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const field = (name: string) =>
    Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN)
  return {
    vmRssKiB: field('VmRSS'),
    vmHwmKiB: field('VmHWM'),
    rssAnonKiB: field('RssAnon'),
    rssFileKiB: field('RssFile'),
    rssShmemKiB: field('RssShmem'),
  }
}

/** The bench config with the rotate users, compiled with its JWK Set snippets (as run.ts does). */
function compileSoakConfig(
  idp: IdentityProvider,
  dir: string,
  workerGroupId: number,
  jwksTtlS?: number,
): { file: string; snippets: ConfigSnippets } {
  const doc = parseYaml(
    readFileSync(join(BENCH_DIR, 'fixtures/config.yaml'), 'utf8').replaceAll(
      '${JWKS_URL}',
      idp.jwksUrl,
    ),
  ) as {
    providers: { type: string; users?: unknown[]; jwks_ttl?: number }[]
  }
  // The remote-cached case's provider needs its generated locations; the soak has none.
  doc.providers = doc.providers.filter((p) => p.type !== 'ecmwf-api')
  const plain = doc.providers.find((p) => p.type === 'plain')!
  plain.users = [...(plain.users ?? []), ...rotateUsers()]
  if (jwksTtlS !== undefined) doc.providers.find((p) => p.type === 'jwt')!.jwks_ttl = jwksTtlS
  const yaml = join(dir, 'config.yaml')
  const file = join(dir, 'config.json')
  const snippetDir = join(dir, 'snippets')
  writeFileSync(yaml, stringifyYaml(doc))
  mkdirSync(snippetDir, { recursive: true })
  execFileSync(
    process.execPath,
    [
      AUTHOTRON_CLI,
      'compile',
      yaml,
      '-o',
      file,
      '--nginx-snippets',
      snippetDir,
      '--jwks-cache-dir',
      join(dir, 'jwks-cache'),
    ],
    { stdio: 'pipe' },
  )
  if (process.getuid?.() === 0) {
    chownSync(file, 0, workerGroupId)
    chmodSync(file, 0o640)
  }
  const snippets: ConfigSnippets = { http: [], server: [] }
  for (const name of readdirSync(snippetDir)
    .filter((f) => f.endsWith('.conf'))
    .sort()) {
    const path = join(snippetDir, name)
    if (name === JWKS_LOCATIONS_SNIPPET) snippets.server.push(path)
    else snippets.http.push(path)
  }
  return { file, snippets }
}

/** One wrk run at this process's niceness (the bench's runWrk raises it to −20). */
function runSoakWrk(
  url: string,
  connections: number,
  seconds: number,
  script: string,
  offset: number,
): Promise<string> {
  const args = [
    '-c',
    String(LOAD_CORE),
    WRK,
    '-t1',
    `-c${connections}`,
    `-d${seconds}s`,
    '--timeout',
    '10s',
    '--latency',
    '-s',
    script,
    url,
    '--',
    String(offset),
  ]
  return runWrkCommand('taskset', args, seconds + 60)
}

function parseMinute(minute: number, output: string): MinuteRun {
  const wrk = parseWrk(output)
  const run: MinuteRun = {
    minute,
    requests: wrk.requests,
    rps: wrk.rps,
    socketErrors: wrk.socketErrors,
    sent: {},
    ok: {},
    unexpected: {},
  }
  for (const match of output.matchAll(/^SOAK_(sent|ok|status)_(\S+) (\d+)$/gm)) {
    const [, what, key, count] = match
    if (what === 'sent') run.sent[key] = Number(count)
    else if (what === 'ok') run.ok[key] = Number(count)
    else run.unexpected[key] = Number(count)
  }
  return run
}

async function soakLeg(
  leg: RuntimeLeg,
  options: Options,
  idp: IdentityProvider,
  kinds: SoakKind[],
  work: string,
): Promise<LegSoak> {
  const result: LegSoak = {
    leg: leg.name,
    status: 'measured',
    samples: [],
    minutes: [],
    requests: 0,
    unexpected: 0,
  }
  const missing = leg.missing()
  if (missing !== undefined) return { ...result, status: 'not available', reason: missing }
  result.versions = await probeVersions(leg)
  log(
    `leg ${leg.name}: nginx ${result.versions.nginx}, njs ${result.versions.njs} (${result.versions.engine})`,
  )
  const dir = join(work, leg.name)
  mkdirSync(dir, { recursive: true })
  const config = compileSoakConfig(idp, dir, leg.workerGroupId, options.jwksTtlS)
  const files = writeCredentialFiles(dir, idp.poolFile)
  const script = join(dir, 'soak.lua')
  writeFileSync(script, soakScript(kinds, files))
  const server: NginxServer = await startNginx({
    leg,
    label: 'soak',
    configFile: config.file,
    conf: (context) =>
      (options.contextReuse !== undefined && leg.expected.engine === 'QuickJS'
        ? `js_context_reuse ${options.contextReuse};\n`
        : '') +
      (options.contextReuseMaxSize !== undefined && leg.expected.engine === 'QuickJS'
        ? `js_context_reuse_max_size ${options.contextReuseMaxSize};\n`
        : '') +
      soakServerConf(context, CONTENT_FILE, config.snippets, leg.features.sharedDict),
  })
  try {
    const master = Number(readFileSync(join(server.paths.prefix, 'nginx.pid'), 'utf8').trim())
    let worker: number | undefined
    for (let i = 0; i < 100 && worker === undefined; i++) {
      worker = childPids(master)[0]
      if (worker === undefined) await delay(20)
    }
    if (worker === undefined) throw new Error(`no nginx worker under master ${master}`)
    pin(master, SERVER_CORE)
    pin(worker, SERVER_CORE)
    const pid = worker
    const started = Date.now()
    const sample = () => {
      const s = { atS: Math.round((Date.now() - started) / 1000), ...workerStatus(pid) }
      result.samples.push(s)
      return s
    }
    sample()
    let offset = 0
    try {
      await soakMinutes()
    } catch (error) {
      // The worker gone (a crash: its master logs the signal) or wrk killed: keep what was measured.
      const alerts = alertLines(server)
      const exit = alerts.filter((line) => /exited on signal/.test(line))
      result.status = 'failed'
      result.reason =
        firstLine((error as Error).message) +
        (alerts.length > 0 ? `; error log: ${(exit.length > 0 ? exit : alerts)[0]}` : '')
      log(`  ${leg.name}: ${result.reason}`)
    }
    async function soakMinutes() {
      for (let minute = 1; minute <= options.minutes; minute++) {
        // The first minute is sampled every 10 s (where the caches and the heap fill up).
        // A worker gone between two samples: the next wrk run or sample after it reports it.
        const sampler =
          minute === 1
            ? setInterval(() => {
                try {
                  sample()
                } catch (e) {
                  // reported by the minute's own sample
                }
              }, 10_000)
            : undefined
        let output: string
        try {
          output = await runSoakWrk(server.url('/'), options.connections, 60, script, offset)
        } finally {
          if (sampler) clearInterval(sampler)
        }
        const run = parseMinute(minute, output)
        offset += run.sent[kinds[0].id] ?? 0
        const s = sample()
        run.after = s
        result.minutes.push(run)
        const unexpected = Object.values(run.unexpected).reduce((a, b) => a + b, 0)
        log(
          `  ${leg.name} minute ${minute}: ${run.requests} requests (${Math.round(run.rps)}/s), ${unexpected} unexpected` +
            `${unexpected > 0 ? ` ${JSON.stringify(run.unexpected)}` : ''}, ${run.socketErrors} socket errors;` +
            ` VmRSS ${(s.vmRssKiB / MIB).toFixed(1)} MiB (anon ${(s.rssAnonKiB / MIB).toFixed(1)}, shmem ${(s.rssShmemKiB / MIB).toFixed(1)}),` +
            ` VmHWM ${(s.vmHwmKiB / MIB).toFixed(1)} MiB`,
        )
      }
    }
    result.requests = result.minutes.reduce((sum, m) => sum + m.requests, 0)
    result.unexpected = result.minutes.reduce(
      (sum, m) => sum + Object.values(m.unexpected).reduce((a, b) => a + b, 0),
      0,
    )
    const afterFirst = sampleAfterMinute(result, 1)
    const end = result.samples[result.samples.length - 1]
    if (afterFirst !== undefined && result.minutes.length > 1) {
      result.growthAfterFirstMinuteKiB = end.vmRssKiB - afterFirst.vmRssKiB
      result.anonGrowthAfterFirstMinuteKiB = end.rssAnonKiB - afterFirst.rssAnonKiB
      result.pass = result.status === 'measured' && result.growthAfterFirstMinuteKiB < LIMIT_KIB
    }
    const errors = alertLines(server)
    if (errors.length > 0)
      log(`  ${leg.name}: ${errors.length} alert/crit lines in the error log, first: ${errors[0]}`)
  } finally {
    await server.stop()
  }
  return result
}

function alertLines(server: NginxServer): string[] {
  return server
    .errorLog()
    .split('\n')
    .filter((line) => /\[(alert|crit|emerg)\]/.test(line))
}

/** The sample taken right after minute `m`'s wrk run. */
function sampleAfterMinute(result: LegSoak, m: number): Sample | undefined {
  return result.minutes[m - 1]?.after
}

function renderMarkdown(
  results: LegSoak[],
  options: Options,
  kinds: SoakKind[],
  started: Date,
  commit: string,
): string {
  const mib = (kib: number) => (kib / MIB).toFixed(1)
  const lines = [
    `# Soak ${options.name}`,
    '',
    `\`npm run soak -- --legs ${options.legs.join(',')} --minutes ${options.minutes} --connections ${options.connections}` +
      `${options.kinds ? ` --kinds ${options.kinds.join(',')}` : ''}${options.jwksTtlS === undefined ? '' : ` --jwks-ttl ${options.jwksTtlS}`}${options.contextReuse === undefined ? '' : ` --context-reuse ${options.contextReuse}`}\` — commit \`${commit}\`, started ${started.toISOString().slice(0, 16).replace('T', ' ')} UTC.`,
    '',
    `One nginx worker per leg; wrk (\`-t1 -c${options.connections}\`) sends ${kinds.length} kinds of request in turn: ${kinds.map((k) => `\`${k.id}\``).join(', ')}.`,
    `Verdict: growth of worker VmRSS after the first minute < ${LIMIT_KIB / MIB} MiB.`,
    '',
    `| leg | ${['start', ...Array.from({ length: options.minutes }, (_, i) => `${i + 1} min`)].join(' | ')} | VmHWM | requests | unexpected | growth after 1st min (RssAnon) | bytes/request after 1st min | verdict |`,
    `|---|${Array.from({ length: options.minutes + 1 }, () => '---').join('|')}|---|---|---|---|---|---|`,
  ]
  for (const r of results) {
    if (r.status !== 'measured' && r.minutes.length === 0) {
      lines.push(`| ${r.leg} | ${r.status}: ${r.reason ?? ''} |`)
      continue
    }
    const perMinute = Array.from({ length: options.minutes }, (_, i) => sampleAfterMinute(r, i + 1))
    const legName = r.versions
      ? `${r.leg} (njs ${r.versions.njs}${r.versions.engine === 'QuickJS' ? ' QuickJS' : ''})`
      : r.leg
    const end = r.samples[r.samples.length - 1]
    lines.push(
      `| ${legName} | ${mib(r.samples[0].vmRssKiB)} | ${perMinute.map((s) => (s ? mib(s.vmRssKiB) : '—')).join(' | ')} | ${mib(end.vmHwmKiB)} | ${r.requests} | ${r.unexpected} |` +
        ` ${signedKiB(r.growthAfterFirstMinuteKiB)} (${signedKiB(r.anonGrowthAfterFirstMinuteKiB)}) | ${bytesPerRequestAfterFirstMinute(r)} | ${r.status === 'failed' ? `**FAILED** after ${r.minutes.length} min: ${r.reason}` : r.pass === undefined ? '—' : r.pass ? 'PASS' : '**FAIL**'} |`,
    )
  }
  lines.push('', 'VmRSS in MiB. First minute, every 10 s:', '')
  for (const r of results.filter((x) => x.samples.length > 0)) {
    const first = r.samples.filter((s) => s.atS < 60 || s === sampleAfterMinute(r, 1))
    lines.push(`- ${r.leg}: ${first.map((s) => `${s.atS} s ${mib(s.vmRssKiB)}`).join(', ')}`)
  }
  lines.push(
    '',
    "Where the memory is (MiB), after the first and the last minute: RssAnon (the worker's own) / RssShmem (pages of shared zones it touched) / RssFile:",
    '',
  )
  for (const r of results.filter((x) => x.minutes.length > 0)) {
    const split = (s: Sample | undefined) =>
      s === undefined || s.rssAnonKiB === undefined
        ? '—'
        : `${mib(s.rssAnonKiB)} / ${mib(s.rssShmemKiB)} / ${mib(s.rssFileKiB)}`
    lines.push(
      `- ${r.leg}: ${split(sampleAfterMinute(r, 1))} → ${split(sampleAfterMinute(r, r.minutes.length))}`,
    )
  }
  lines.push(
    '',
    'Requests per kind (sent, whole run) and unexpected answers (`kind:status` → count):',
    '',
  )
  for (const r of results.filter((x) => x.minutes.length > 0)) {
    const sent: { [k: string]: number } = {}
    const unexpected: { [k: string]: number } = {}
    for (const m of r.minutes) {
      for (const [k, n] of Object.entries(m.sent)) sent[k] = (sent[k] ?? 0) + n
      for (const [k, n] of Object.entries(m.unexpected)) unexpected[k] = (unexpected[k] ?? 0) + n
    }
    lines.push(
      `- ${r.leg}: ${Object.entries(sent)
        .map(([k, n]) => `${k} ${n}`)
        .join(
          ', ',
        )}; unexpected: ${Object.keys(unexpected).length === 0 ? 'none' : JSON.stringify(unexpected)}`,
    )
  }
  lines.push(
    '',
    'The kinds:',
    '',
    ...kinds.map((k) => `- \`${k.id}\` (${k.path}, expects ${k.expectedStatus}): ${k.description}`),
    '',
  )
  return lines.join('\n')
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2))
  const legs = options.legs.map((name) => legByName(name))
  pin(process.pid, LOAD_CORE)
  const started = new Date()
  const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
  }).trim()
  const idp = await startIdentityProvider(options.pool, log)
  const work = makeTempDir('soak')
  const results: LegSoak[] = []
  try {
    const all = soakKinds(idp.cachedToken)
    const kinds = options.kinds
      ? options.kinds.map(
          (id) =>
            all.find((k) => k.id === id) ??
            fail(`unknown kind ${id} (known: ${all.map((k) => k.id).join(', ')})`),
        )
      : all
    for (const leg of legs) {
      try {
        results.push(await soakLeg(leg, options, idp, kinds, work))
      } catch (error) {
        log(`leg ${leg.name}: failed: ${(error as Error).message}`)
        results.push({
          leg: leg.name,
          status: 'failed',
          reason: firstLine((error as Error).message),
          samples: [],
          minutes: [],
          requests: 0,
          unexpected: 0,
        })
      }
    }
    const markdown = renderMarkdown(results, options, kinds, started, commit)
    log(`\n${markdown}`)
    log(`JWK Set fetches: ${idp.jwksFetches()}`)
    if (options.write) {
      const dir = join(BENCH_DIR, 'results')
      writeFileSync(join(dir, `${options.name}.md`), markdown)
      writeFileSync(
        join(dir, `${options.name}.json`),
        JSON.stringify(
          {
            options,
            commit,
            started: started.toISOString(),
            kinds: kinds.map(withoutCredential),
            jwksFetches: idp.jwksFetches(),
            legs: results,
          },
          null,
          1,
        ) + '\n',
      )
      log(`written: ${relative(REPO_ROOT, join(dir, options.name))}.md and .json`)
    }
  } finally {
    await idp.stop()
  }
  if (results.some((r) => r.pass === false || r.status === 'failed')) process.exitCode = 1
}

/** A leak per request shows as the same figure run after run; load-dependent plateaus do not. */
function bytesPerRequestAfterFirstMinute(r: LegSoak): string {
  const requests = r.minutes.slice(1).reduce((sum, m) => sum + m.requests, 0)
  if (r.growthAfterFirstMinuteKiB === undefined || requests === 0) return '—'
  return ((r.growthAfterFirstMinuteKiB * 1024) / requests).toFixed(2)
}

/** A kind for the results file: where its credential comes from, not the credential. */
function withoutCredential(kind: SoakKind): Omit<SoakKind, 'credential'> & { credential: string } {
  return {
    ...kind,
    credential:
      kind.credential.from === 'file' ? `file:${kind.credential.file}` : kind.credential.from,
  }
}

function signedKiB(kib: number | undefined): string {
  return kib === undefined ? '—' : `${kib >= 0 ? '+' : ''}${kib} KiB`
}

function fail(message: string): never {
  throw new Error(message)
}

function firstLine(text: string): string {
  return text.split('\n')[0]
}

main().catch((error) => {
  process.stderr.write(`soak: ${error instanceof Error ? error.message : String(error)}\n`)
  process.exit(2)
})
