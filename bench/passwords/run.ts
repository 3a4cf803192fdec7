/**
 * Per-verification cost of each stored-password form on the njs CLI (docs/passwords.md).
 *
 *   npx tsx bench/passwords/run.ts [--njs /path/to/njs] [--rounds 3] [--min-ms 2000]
 *                                  [--min-runs 5] [--quick]
 *
 * Builds the verifiers with the real compiler code (src/passwords/parse.ts), bundles
 * ./verify-cost.ts with esbuild (the njs `crypto` module external, as in build.mjs) and runs it
 * with the njs CLI, which checks every answer before timing. `--quick` only checks (the unit tests
 * use it). The njs CLI runs one VM, so this is the cost of the verification itself, without
 * nginx's per-request VM clone.
 */
import { build } from 'esbuild'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { cpus, tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { PasswordVerifier } from '../../src/config/compiled'
import {
  DEFAULT_PBKDF2_ITERATIONS,
  hashPassword,
  parseStoredPassword,
  plainVerifier,
} from '../../src/passwords/parse'

export const PASSWORD = 'correct horse battery staple'
const WRONG_PASSWORD = 'correct horse battery stapler'

export interface BenchResult {
  name: string
  runs: number
  ms: number
  microsecondsPerVerification: number
  bytesPerVerification: number
}

export function benchCases(quick: boolean): { name: string; verifier: PasswordVerifier }[] {
  const pbkdf2 = (iterations: number) => ({
    name: `pbkdf2-sha256, ${iterations.toLocaleString('en')} iterations`,
    verifier: parseStoredPassword(hashPassword(PASSWORD, { iterations })),
  })
  const opensslPasswd = (flag: string) =>
    parseStoredPassword(
      execFileSync('openssl', ['passwd', flag, '-salt', 'Ab3/.x9Z', PASSWORD], {
        encoding: 'utf8',
      }).trim(),
    )
  const sha1 = execFileSync('openssl', ['dgst', '-sha1', '-binary'], { input: PASSWORD })
  const salt = Buffer.from([1, 2, 3, 4, 5, 6, 7, 8])
  const ssha = execFileSync('openssl', ['dgst', '-sha1', '-binary'], {
    input: Buffer.concat([Buffer.from(PASSWORD), salt]),
  })
  return [
    { name: 'plain (sha256)', verifier: plainVerifier(PASSWORD) },
    { name: '{SHA}', verifier: parseStoredPassword(`{SHA}${sha1.toString('base64')}`) },
    {
      name: '{SSHA}',
      verifier: parseStoredPassword(`{SSHA}${Buffer.concat([ssha, salt]).toString('base64')}`),
    },
    { name: '$apr1$ (md5crypt)', verifier: opensslPasswd('-apr1') },
    { name: '$1$ (md5crypt)', verifier: opensslPasswd('-1') },
    ...(quick
      ? [pbkdf2(1000)]
      : [pbkdf2(10_000), pbkdf2(DEFAULT_PBKDF2_ITERATIONS), pbkdf2(600_000)]),
  ]
}

/**
 * Each case runs in its own njs process, `rounds` times interleaved, and reports the median:
 * the machine is shared and njs's heap only grows, so neither order nor neighbours should count.
 */
export async function runBench(options: {
  njs: string
  minMs: number
  minRuns: number
  rounds: number
  quick: boolean
}): Promise<BenchResult[]> {
  const cases = benchCases(options.quick)
  const scripts = await Promise.all(
    cases.map((benchCase) =>
      bundle([{ ...benchCase, password: PASSWORD, wrongPassword: WRONG_PASSWORD }], options),
    ),
  )
  const samples: BenchResult[][] = cases.map(() => [])
  for (let round = 0; round < options.rounds; round++) {
    for (let i = 0; i < cases.length; i++) samples[i].push(runNjs(options.njs, scripts[i])[0])
  }
  return samples.map((caseSamples) => {
    const sorted = [...caseSamples].sort(
      (a, b) => a.microsecondsPerVerification - b.microsecondsPerVerification,
    )
    return sorted[Math.floor(sorted.length / 2)]
  })
}

async function bundle(
  cases: unknown[],
  options: { minMs: number; minRuns: number },
): Promise<string> {
  const bundled = await build({
    entryPoints: [fileURLToPath(new URL('./verify-cost.ts', import.meta.url))],
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    external: ['crypto'],
    write: false,
    define: {
      BENCH_CASES: JSON.stringify(cases),
      BENCH_MIN_MS: String(options.minMs),
      BENCH_MIN_RUNS: String(options.minRuns),
    },
  })
  return bundled.outputFiles[0].text
}

function runNjs(njs: string, script: string): BenchResult[] {
  const directory = mkdtempSync(join(tmpdir(), 'authotron-bench-'))
  try {
    const path = join(directory, 'verify-cost.js')
    writeFileSync(path, script)
    const output = execFileSync(njs, [path], { encoding: 'utf8', timeout: 600_000 })
    const lines = output
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line))
    const failure = lines.find((line) => line.error !== undefined)
    if (failure) throw new Error(`njs: ${failure.error}`)
    if (!lines.some((line) => line.done)) throw new Error(`njs stopped early:\n${output}`)
    return lines.filter((line) => line.name !== undefined)
  } finally {
    rmSync(directory, { recursive: true, force: true })
  }
}

function option(name: string, fallback: string): string {
  const index = process.argv.indexOf(name)
  return index === -1 ? fallback : process.argv[index + 1]
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const njs = option('--njs', 'njs')
  const quick = process.argv.includes('--quick')
  const rounds = Number(option('--rounds', quick ? '1' : '3'))
  const results = await runBench({
    njs,
    quick,
    rounds,
    minMs: Number(option('--min-ms', quick ? '0' : '2000')),
    minRuns: Number(option('--min-runs', quick ? '1' : '5')),
  })
  const version = execFileSync(njs, ['-v'], { encoding: 'utf8' }).trim()
  console.log(`njs ${version}, ${cpus().length} × ${cpus()[0].model}, median of ${rounds}\n`)
  console.log('| form | µs / verification | verifications / s | allocated / verification |')
  console.log('|---|---:|---:|---:|')
  for (const result of results) {
    const perSecond = Math.round(1_000_000 / Math.max(1, result.microsecondsPerVerification))
    console.log(
      `| ${result.name} | ${result.microsecondsPerVerification.toLocaleString('en')} | ` +
        `${perSecond.toLocaleString('en')} | ${kibibytes(result.bytesPerVerification)} |`,
    )
  }
}

function kibibytes(bytes: number): string {
  return bytes < 1024 ? `${bytes} B` : `${(bytes / 1024).toFixed(bytes < 10240 ? 1 : 0)} KiB`
}
