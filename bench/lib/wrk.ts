/**
 * Debian's wrk on the load core: `taskset -c <core> wrk -t1 -c<n> -d<s> --latency …`, its output
 * parsed. Every run is bounded: wrk stops itself after `-d`, and a run that outlives that by far is
 * killed.
 */
import { spawn } from 'node:child_process'

export const WRK = '/usr/bin/wrk'

export interface WrkRun {
  url: string
  connections: number
  durationS: number
  /** `Name: value` headers sent with every request. */
  headers?: string[]
  /** A Lua script (wrk -s), for requests that differ one from the next. */
  script?: string
  /** The core wrk runs on. */
  core: number
}

export interface WrkResult {
  rps: number
  requests: number
  /** Latency percentiles in milliseconds, from wrk --latency. */
  p50Ms: number
  p75Ms: number
  p90Ms: number
  p99Ms: number
  /** Responses that were not 2xx or 3xx: any makes the run invalid. */
  non2xx: number
  /** connect/read/write/timeout errors. */
  socketErrors: number
  /** Lines the script printed with the `BENCH_` prefix (key → value). */
  scriptOutput: { [key: string]: string }
}

export function wrkVersion(): Promise<string> {
  return new Promise((resolve) => {
    const child = spawn(WRK, ['--version'], { stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    child.stdout.on('data', (chunk) => (out += chunk))
    child.stderr.on('data', (chunk) => (out += chunk))
    child.on('error', () => resolve('wrk not found'))
    child.on('close', () => resolve(out.split('\n')[0].trim()))
  })
}

/**
 * Runs wrk through `command` (nice, taskset) and resolves with what it printed; killed after
 * `limitS` seconds, so a run never outlives its budget. Rejects on a non-zero exit.
 */
export function runWrkCommand(command: string, args: string[], limitS: number): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    child.stdout.on('data', (chunk) => (out += chunk))
    child.stderr.on('data', (chunk) => (out += chunk))
    const limit = setTimeout(() => child.kill('SIGKILL'), limitS * 1000)
    child.on('error', (error) => {
      clearTimeout(limit)
      reject(new Error(`wrk: ${error.message} (Fix: apt-get install -y wrk util-linux)`))
    })
    child.on('close', (code) => {
      clearTimeout(limit)
      if (code !== 0) reject(new Error(`wrk exited with ${code}:\n${out}`))
      else resolve(out)
    })
  })
}

export async function runWrk(run: WrkRun): Promise<WrkResult> {
  // nice −20 (as root) and pinned: the machine may be shared with other work.
  const args = [
    '-n',
    '-20',
    'taskset',
    '-c',
    String(run.core),
    WRK,
    '-t1',
    `-c${run.connections}`,
    // wrk takes whole seconds.
    `-d${Math.max(1, Math.round(run.durationS))}s`,
    '--timeout',
    '5s',
    '--latency',
  ]
  for (const header of run.headers ?? []) args.push('-H', header)
  if (run.script !== undefined) args.push('-s', run.script)
  args.push(run.url)
  return parseWrk(await runWrkCommand('nice', args, run.durationS + 30))
}

/** Parses wrk 4's report (exported for a quick look at odd output). */
export function parseWrk(output: string): WrkResult {
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(output)
  const requests = /(\d+) requests in/.exec(output)
  if (!rps || !requests) throw new Error(`wrk: unexpected output:\n${output}`)
  const percentile = (p: number) => {
    const match = new RegExp(`^\\s+${p}%\\s+([\\d.]+)(us|ms|s)\\s*$`, 'm').exec(output)
    if (!match) throw new Error(`wrk: no ${p}% latency in:\n${output}`)
    return toMs(Number(match[1]), match[2])
  }
  const non2xx = /Non-2xx or 3xx responses:\s+(\d+)/.exec(output)
  const errors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(output)
  const scriptOutput: { [key: string]: string } = {}
  for (const match of output.matchAll(/^BENCH_(\w+) (.*)$/gm)) scriptOutput[match[1]] = match[2]
  return {
    rps: Number(rps[1]),
    requests: Number(requests[1]),
    p50Ms: percentile(50),
    p75Ms: percentile(75),
    p90Ms: percentile(90),
    p99Ms: percentile(99),
    non2xx: non2xx ? Number(non2xx[1]) : 0,
    socketErrors: errors ? errors.slice(1).reduce((sum, n) => sum + Number(n), 0) : 0,
    scriptOutput,
  }
}

function toMs(value: number, unit: string): number {
  if (unit === 'us') return value / 1000
  if (unit === 's') return value * 1000
  return value
}

/** A Lua string literal. */
export function luaString(text: string): string {
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`
}

/**
 * A wrk script that sends a new pool token with every request (bearer-cold), and reports how many
 * requests it sent, so that a run that went past the pool (and so reused tokens) is flagged.
 */
export function poolScript(path: string, tokensFile: string, wrapAllowed: boolean): string {
  return `-- Written by bench/lib/wrk.ts: one new token per request.
local threads = {}
function setup(thread) table.insert(threads, thread) end
sent = 0
local tokens = {}
local count = 0
function init(args)
  for line in io.lines(${luaString(tokensFile)}) do
    count = count + 1
    tokens[count] = "Bearer " .. line
  end
end
function request()
  sent = sent + 1
  local i = sent
  if i > count then
    ${wrapAllowed ? 'i = ((i - 1) % count) + 1' : 'i = count'}
  end
  return wrk.format("GET", ${luaString(path)}, { ["Authorization"] = tokens[i] })
end
function done(summary, latency, requests)
  local total = 0
  for _, t in ipairs(threads) do total = total + t:get("sent") end
  io.write("BENCH_SENT " .. total .. "\\n")
end
`
}

/** A wrk script that cycles through fixed requests (the memory run's mix). */
export function mixScript(requests: { path: string; authorization?: string }[], tokensFile?: string): string {
  const entries = requests
    .map((r) => `  { ${luaString(r.path)}, ${r.authorization === undefined ? 'nil' : luaString(r.authorization)} },`)
    .join('\n')
  return `-- Written by bench/lib/wrk.ts: the memory run's mix of requests.
local fixed = {
${entries}
}
local tokens = {}
local count = 0
local n = 0
function init(args)
  ${tokensFile === undefined ? '' : `for line in io.lines(${luaString(tokensFile)}) do count = count + 1; tokens[count] = "Bearer " .. line end`}
end
function request()
  n = n + 1
  local slots = #fixed + (count > 0 and 1 or 0)
  local slot = (n % slots) + 1
  if slot > #fixed then
    local i = ((math.floor(n / slots)) % count) + 1
    return wrk.format("GET", "/bearer", { ["Authorization"] = tokens[i] })
  end
  local entry = fixed[slot]
  if entry[2] == nil then return wrk.format("GET", entry[1]) end
  return wrk.format("GET", entry[1], { ["Authorization"] = entry[2] })
end
`
}
