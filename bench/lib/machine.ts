/** What the bench runs on, where each process runs (CPU affinity), and worker memory. */
import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { cpus, release, totalmem } from 'node:os'
import { join } from 'node:path'
import { RUNTIMES_DIR } from '../../test/nginx-harness/paths'
import type { LocalLegName } from '../../test/nginx-harness/runtimes'

/** nginx (master and its one worker) run here … */
export const SERVER_CORE = 0
/** … and wrk, the open-loop client and this process here. */
export const LOAD_CORE = 1

export interface MachineDescription {
  nproc: number
  cpuModel: string
  kernel: string
  memoryGiB: number
  node: string
  wrk: string
  os: string
}

export function describeMachine(wrk: string): MachineDescription {
  const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8')
  const model = /^model name\s*:\s*(.*)$/m.exec(cpuinfo)
  let os = 'unknown'
  try {
    os = /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(readFileSync('/etc/os-release', 'utf8'))?.[1] ?? os
  } catch {
    // no os-release
  }
  return {
    nproc: cpus().length,
    cpuModel: model ? model[1].trim() : 'unknown',
    kernel: release(),
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    wrk,
    os,
  }
}

/** The Debian packages a leg's nginx, njs and OpenSSL come from. */
export function legPackages(leg: LocalLegName): string[] {
  if (leg === 'bookworm') {
    try {
      return execFileSync(
        'dpkg-query',
        ['-W', '-f', '${Package}_${Version}\\n', 'nginx', 'nginx-light', 'libnginx-mod-http-js', 'libssl3'],
        { encoding: 'utf8' },
      )
        .split('\n')
        .filter((line) => line !== '')
    } catch {
      return []
    }
  }
  const list = join(RUNTIMES_DIR, leg === 'trixie' ? 'trixie' : 'sid', 'packages.txt')
  if (!existsSync(list)) return []
  return readFileSync(list, 'utf8')
    .split('\n')
    .filter((line) => /^(nginx|libnginx-mod-http-js|libssl|libqjs)/.test(line))
    .map((line) => line.replace(/_amd64\.deb$/, '').replace(/%3a/g, ':'))
}

/** Pins `pid` and all its threads to `core` (taskset from util-linux). */
export function pin(pid: number, core: number): void {
  execFileSync('taskset', ['-a', '-p', '-c', String(core), String(pid)], { stdio: 'ignore' })
}

export interface Memory {
  /** kB, from /proc/<pid>/status */
  vmRssKiB: number
  rssAnonKiB: number
  rssFileKiB: number
  rssShmemKiB: number
}

export function workerMemory(pid: number): Memory {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const field = (name: string) => {
    const match = new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)
    return match ? Number(match[1]) : NaN
  }
  return {
    vmRssKiB: field('VmRSS'),
    rssAnonKiB: field('RssAnon'),
    rssFileKiB: field('RssFile'),
    rssShmemKiB: field('RssShmem'),
  }
}

/**
 * Raises `pid` to nice −20, so that other work on this shared machine takes as little of the
 * bench's cores as the scheduler allows. Best effort: needs root (the bench runs as root here).
 */
export function prioritise(pid: number): void {
  try {
    execFileSync('renice', ['-n', '-20', '-p', String(pid)], { stdio: 'ignore' })
  } catch {
    // not permitted: measured at normal priority
  }
}

/** Jiffies a core spent, from /proc/stat: `tasks` = user + nice + system, `irq` = irq + softirq + steal. */
export function coreJiffies(core: number): { tasks: number; irq: number } {
  const line = readFileSync('/proc/stat', 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`cpu${core} `))
  if (line === undefined) return { tasks: NaN, irq: NaN }
  // user nice system idle iowait irq softirq steal …
  const f = line.trim().split(/\s+/).slice(1).map(Number)
  return { tasks: f[0] + f[1] + f[2], irq: f[5] + f[6] + f[7] }
}

/**
 * Waits until both cores are nearly idle (this machine may be shared: other people's builds and
 * tests run on the same two cores), at most `maxWaitMs`. Returns how long it waited and the busy
 * share of each core in the last window.
 */
export async function waitForQuiet(maxWaitMs: number, thresholdPct = 10, windowMs = 300): Promise<{ waitedMs: number; busyPct: number[] }> {
  const started = Date.now()
  for (;;) {
    const before = [0, 1].map(coreJiffies)
    const t0 = process.hrtime.bigint()
    await new Promise((resolve) => setTimeout(resolve, windowMs))
    const elapsed = Number(process.hrtime.bigint() - t0) / 1e7
    const busyPct = [0, 1].map((core, i) => {
      const now = coreJiffies(core)
      return Math.round(((now.tasks - before[i].tasks + now.irq - before[i].irq) / elapsed) * 1000) / 10
    })
    const waitedMs = Date.now() - started
    if (busyPct.every((pct) => pct < thresholdPct) || waitedMs >= maxWaitMs) return { waitedMs, busyPct }
  }
}

/** utime + stime of a process, in jiffies. */
export function processJiffies(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return Number(fields[11]) + Number(fields[12])
}

/** The 1-minute load average. */
export function loadAverage(): number {
  return Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0])
}

/** Nanoseconds `pid` has run on a CPU (first field of /proc/<pid>/schedstat; precise, unlike jiffies). */
export function processCpuNs(pid: number): number {
  return Number(readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[0])
}
