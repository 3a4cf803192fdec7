/**
 * Where things live. Every temporary file the harness writes goes under `<repo>/.tmp/` (gitignored):
 * one folder per test run (`AOT_RUN_DIR`, set by test/run.mjs), one prefix per nginx inside it.
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmdirSync, rmSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
export const DIST_DIR = join(REPO_ROOT, 'dist')
/** The njs bundle, as operators `js_import` it. */
export const AUTHOTRON_MODULE = join(DIST_DIR, 'authotron.js')
/**
 * The same module built for QuickJS (`js_engine qjs;`): each module once, no lazy units, so that a
 * new JS context reads less bytecode (build.mjs, QUICKJS_BUNDLE). The harness imports it on
 * QuickJS legs; AUTHOTRON_MODULE works there too.
 */
export const AUTHOTRON_QJS_MODULE = join(DIST_DIR, 'authotron-qjs.js')
/** The Node command line (`authotron compile …`). */
export const AUTHOTRON_CLI = join(DIST_DIR, 'cli.mjs')
export const FIXTURES_DIR = join(REPO_ROOT, 'test/nginx-harness/fixtures')
export const RUNTIMES_DIR = join(REPO_ROOT, '.runtimes')
export const TMP_ROOT = join(REPO_ROOT, '.tmp')
/** The operator-facing example that the demo and the seed-flow tests instantiate. */
export const EXAMPLE_NGINX_CONF = join(REPO_ROOT, 'nginx/nginx.conf')

/**
 * The folder for this run's temporary files: `AOT_RUN_DIR` when test/run.mjs set it (so that it
 * can sweep up after a crashed test worker), else `.tmp/run-<pid>` of this process.
 */
export function runDir(): string {
  const shared = process.env.AOT_RUN_DIR
  const dir = shared ?? join(TMP_ROOT, `run-${process.pid}`)
  if (!existsSync(dir)) {
    mkdirSync(dir, { recursive: true })
    // A folder of this process's own goes when the process does, unless something was kept in it.
    if (shared === undefined) process.on('exit', () => removeIfOnlyBookkeeping(dir))
  }
  return dir
}

function removeIfOnlyBookkeeping(dir: string): void {
  try {
    rmSync(join(dir, 'pids'), { recursive: true, force: true })
    rmdirSync(dir)
  } catch {
    // not empty: a prefix kept with AOT_KEEP_TMP=1
  }
}

/**
 * A new empty folder under the run folder. Mode 0755: nginx workers run as `nobody` when the
 * master is root, and must be able to reach the temp paths nginx creates inside it.
 */
export function makeTempDir(label: string): string {
  const safeLabel = label.replace(/[^A-Za-z0-9_.-]+/g, '-').slice(0, 40)
  const dir = mkdtempSync(join(runDir(), `${safeLabel}-`))
  chmodSync(dir, 0o755)
  return dir
}
