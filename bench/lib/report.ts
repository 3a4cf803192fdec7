/**
 * What a run records besides its numbers (the command, the commit and bundle, the method), and
 * the report: <name>.json (everything), <name>.svg (the chart) and <name>.md (the tables, also
 * printed).
 */
import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { AUTHOTRON_MODULE, REPO_ROOT } from '../../test/nginx-harness/paths'
import { log } from './log'
import { markdownTables, type BenchResults } from './results'
import { renderSvg } from './svg'

export const METHOD: { [key: string]: string } = {
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

export function gitState(): { gitCommit: string; gitDirty: boolean } {
  try {
    const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: REPO_ROOT, encoding: 'utf8' }).trim()
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src', 'nginx', 'build.mjs'], { cwd: REPO_ROOT, encoding: 'utf8' }).trim()
    const bundle = createHash('sha256').update(readFileSync(AUTHOTRON_MODULE)).digest('hex').slice(0, 12)
    return { gitCommit: `${commit} (dist/authotron.js sha256 ${bundle})`, gitDirty: dirty !== '' }
  } catch {
    return { gitCommit: 'unknown', gitDirty: true }
  }
}

/** Writes the run's three files into `outDir` and prints the tables. */
export function writeReport(results: BenchResults, outDir: string, name: string): void {
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
