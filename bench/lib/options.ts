/** The command line of `npm run bench` (bench/run.ts). */
import { LOCAL_LEG_NAMES, type LocalLegName } from '../../test/nginx-harness/runtimes'
import { CASE_IDS, type CaseId } from './cases'

export interface BenchOptions {
  legs: LocalLegName[]
  cases: CaseId[]
  rounds: number
  /** Seconds per measured wrk run. */
  durationS: number
  /** Seconds of the warm-up run per leg and case, before round 1. */
  warmupS: number
  /** wrk connections of the peak-throughput runs. */
  connections: number
  /** The half-of-peak latency runs (open-loop client); 0 disables them. */
  halfLoadS: number
  /** (case, none) pairs per half-load measurement; the median pair is reported. */
  halfLoadRepeats: number
  /** Seconds of the memory run at 256 connections per leg; 0 disables it. */
  soakS: number
  soakConnections: number
  quick: boolean
  /** Longest wait for an idle machine before one run, and for all runs together (seconds). */
  quietWaitS: number
  quietBudgetS: number
  /** Extra runs of a measurement that other work disturbed. */
  retries: number
  /** Where results go (default bench/results). */
  outDir?: string
  /** The name of the results files, default the date (`-quick` appended for --quick). */
  name?: string
}

export const USAGE = `npm run bench -- [options]

  --quick            smoke run (~2 min): 2 rounds of 1 s, short half-load and soak runs
  --legs a,b         runtime legs (default: ${LOCAL_LEG_NAMES.join(',')})
  --cases a,b        cases (default: all: ${CASE_IDS.join(',')})
  --rounds N         interleaved rounds (default 5)
  --duration S       seconds per measured run (default 3)
  --warmup S         seconds of warm-up per leg and case before round 1 (default 1)
  --connections N    wrk connections for the peak runs (default 64)
  --half-load S      seconds per half-of-peak latency run, 0 to skip (default 2)
  --soak S           seconds of the 256-connection memory run per leg, 0 to skip (default 60)
  --no-soak          same as --soak 0
  --quiet-wait S     longest wait for an idle machine before a run (default 15; quick 3)
  --quiet-budget S   total of those waits over the whole run (default 300; quick 30)
  --retries N        extra runs of a measurement that other processes disturbed (default 1)
  --out DIR          results folder (default bench/results)
  --name NAME        results file name without extension (default: the date)
`

export function parseOptions(argv: string[]): BenchOptions {
  const quick = argv.includes('--quick')
  const options: BenchOptions = {
    legs: [...LOCAL_LEG_NAMES],
    cases: [...CASE_IDS],
    rounds: quick ? 2 : 5,
    durationS: quick ? 1 : 3,
    warmupS: quick ? 0.5 : 1,
    connections: 64,
    halfLoadS: quick ? 1 : 2,
    halfLoadRepeats: quick ? 1 : 3,
    soakS: quick ? 5 : 60,
    soakConnections: 256,
    quick,
    quietWaitS: quick ? 3 : 15,
    quietBudgetS: quick ? 30 : 300,
    retries: quick ? 0 : 1,
  }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]
    const value = () => {
      const next = argv[++i]
      if (next === undefined) throw new Error(`${arg} needs a value\n\n${USAGE}`)
      return next
    }
    const number = () => {
      const text = value()
      const n = Number(text)
      if (!Number.isFinite(n) || n < 0) throw new Error(`${arg}: expected a number ≥ 0, got '${text}'`)
      return n
    }
    switch (arg) {
      case '--quick':
        break
      case '--legs':
        options.legs = list(value(), LOCAL_LEG_NAMES, 'leg')
        break
      case '--cases':
        options.cases = list(value(), CASE_IDS, 'case')
        break
      case '--rounds':
        options.rounds = Math.max(1, Math.round(number()))
        break
      case '--duration':
        options.durationS = number()
        break
      case '--warmup':
        options.warmupS = number()
        break
      case '--connections':
        options.connections = Math.max(1, Math.round(number()))
        break
      case '--half-load':
        options.halfLoadS = number()
        break
      case '--soak':
        options.soakS = number()
        break
      case '--no-soak':
        options.soakS = 0
        break
      case '--quiet-wait':
        options.quietWaitS = number()
        break
      case '--quiet-budget':
        options.quietBudgetS = number()
        break
      case '--retries':
        options.retries = Math.round(number())
        break
      case '--out':
        options.outDir = value()
        break
      case '--name':
        options.name = value()
        break
      case '-h':
      case '--help':
        process.stdout.write(USAGE)
        process.exit(0)
      // falls through (exit)
      default:
        throw new Error(`unknown option '${arg}'\n\n${USAGE}`)
    }
  }
  return options
}

function list<T extends string>(text: string, known: readonly T[], what: string): T[] {
  const items = text
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '')
  for (const item of items) {
    if (!(known as readonly string[]).includes(item)) {
      throw new Error(`unknown ${what} '${item}' (known: ${known.join(', ')})`)
    }
  }
  // Keep the canonical order, so tables and charts read the same whatever the command line said.
  return known.filter((item) => items.includes(item))
}
