/**
 * Child processes the harness starts (nginx masters, gunicorn), and the promise that none outlives
 * the test process: each is stopped on normal exit, and each is recorded in `<run dir>/pids/` so
 * that test/run.mjs can stop what a crashed or killed test worker left behind.
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process'
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { runDir } from './paths'

export interface ManagedProcess {
  readonly child: ChildProcess
  readonly pid: number
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string
  /** Resolves with the exit code (or the signal name) once the process has exited. */
  readonly exited: Promise<number | string>
  hasExited(): boolean
  /** `code 1`, `signal SIGTERM`, …; undefined while running. */
  exitStatus(): string | undefined
  /** Sends `signal`, waits up to `graceMs` for the exit, then kills the process and its children. */
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<void>
}

const running = new Set<ManagedProcess>()
let exitHookInstalled = false

/** Starts `file args…` and keeps track of it until it exits. */
export function startProcess(
  label: string,
  file: string,
  args: string[],
  options: SpawnOptions = {},
): ManagedProcess {
  installExitHook()
  const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options })
  if (child.pid === undefined) throw new Error(`${label}: could not start ${file}`)
  const pid = child.pid
  let output = ''
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (output += chunk))
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (output += chunk))
  let exitedFlag = false
  let exitStatus: string | undefined
  const pidFile = recordPid(label, pid, file)
  const exited = new Promise<number | string>((resolve) => {
    child.on('exit', (code, signal) => {
      exitedFlag = true
      exitStatus = code !== null ? `code ${code}` : `signal ${signal}`
      running.delete(managed)
      rmSync(pidFile, { force: true })
      resolve(code ?? signal ?? 'unknown')
    })
    child.on('error', (error) => {
      output += `\n${label}: ${error.message}`
      exitedFlag = true
      exitStatus = `error ${error.message}`
      running.delete(managed)
      rmSync(pidFile, { force: true })
      resolve(`error: ${error.message}`)
    })
  })
  const managed: ManagedProcess = {
    child,
    pid,
    output: () => output,
    exited,
    hasExited: () => exitedFlag,
    exitStatus: () => exitStatus,
    async stop(signal = 'SIGTERM', graceMs = 5000) {
      if (exitedFlag) return
      const children = childPids(pid)
      signalPid(pid, signal)
      let timer: NodeJS.Timeout | undefined
      const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(resolve, graceMs, 'timeout')))
      const outcome = await Promise.race([exited, timeout])
      clearTimeout(timer)
      if (outcome === 'timeout') {
        for (const p of [pid, ...children]) signalPid(p, 'SIGKILL')
        await exited
      }
    },
  }
  running.add(managed)
  return managed
}

/** The pids whose parent is `pid` (read from /proc; empty where there is no /proc). */
export function childPids(pid: number): number[] {
  const pids: number[] = []
  let entries: string[]
  try {
    entries = readdirSync('/proc')
  } catch {
    return pids
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue
    try {
      // /proc/<pid>/stat: "pid (comm) state ppid …"; comm may hold spaces and parentheses.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8')
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])
      if (ppid === pid) pids.push(Number(entry))
    } catch {
      // the process ended while we looked
    }
  }
  return pids
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

function signalPid(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal)
  } catch {
    // already gone
  }
}

/**
 * `<run dir>/pids/<pid>` holds the command the pid was started with; test/run.mjs stops a pid
 * left there only while /proc/<pid>/cmdline still names that command (pids are reused).
 */
function recordPid(label: string, pid: number, file: string): string {
  const dir = join(runDir(), 'pids')
  mkdirSync(dir, { recursive: true })
  const path = join(dir, String(pid))
  writeFileSync(path, `${file}\n${label}\n`)
  return path
}

function installExitHook(): void {
  if (exitHookInstalled) return
  exitHookInstalled = true
  // 'exit' handlers must be synchronous: SIGTERM asks an nginx master for a fast shutdown, which
  // also ends its workers; its workers get one too in case the master is wedged.
  process.on('exit', () => {
    for (const managed of running) {
      for (const p of childPids(managed.pid)) signalPid(p, 'SIGTERM')
      signalPid(managed.pid, 'SIGTERM')
    }
  })
  // Without a handler, Node dies of SIGINT/SIGTERM without running 'exit' handlers. A program
  // with its own handler (the demo) keeps control of its shutdown.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      if (process.listenerCount(signal) === 0) process.exit(signal === 'SIGINT' ? 130 : 143)
    })
  }
}
