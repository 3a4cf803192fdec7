#!/usr/bin/env node
// `npm test`: the whole check, in the order a failure is cheapest to find.
//
//   1. npm run build            the tests run against the dist/ that ships
//   2. dist check               with src/ unchanged since HEAD, the fresh build must equal HEAD's dist/
//   3. npm run typecheck
//   4. ava test/unit
//   5. the runtime legs         which nginx + njs each selected leg really runs
//   6. ava test/integration     real nginx on every leg (AOT_LEGS, default bookworm,trixie,sid,sid-qjs)
//   7. `N passed, N failed`     the last line; the exit code is non-zero on any failure
//
//   node test/run.mjs --unit          steps 1–4
//   node test/run.mjs --integration   steps 1, 5, 6
//
// AOT_LEGS=docker runs the integration suite against the official nginx image (testcontainers);
// without a reachable Docker engine it says so and exits 0 before doing anything else.
// AOT_KEEP_TMP=1 keeps the nginx prefixes under .tmp/ for inspection.
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, readdirSync, readFileSync, rmSync, mkdirSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'

const repo = fileURLToPath(new URL('..', import.meta.url))
const flags = new Set(process.argv.slice(2))
const unknown = [...flags].filter((flag) => !['--unit', '--integration'].includes(flag))
if (unknown.length > 0) {
  console.error(`test/run.mjs: unknown option ${unknown.join(' ')} (known: --unit, --integration)`)
  process.exit(2)
}
const runUnit = flags.has('--unit') || !flags.has('--integration')
const runIntegration = flags.has('--integration') || !flags.has('--unit')

const DOCKER_SKIPPED_EXIT_CODE = 3 // test/support/leg-report.ts
const colour = process.stdout.isTTY ? { FORCE_COLOR: '1' } : {}
const started = Date.now()
const totals = { passed: 0, failed: 0, skipped: 0 }
const failedChecks = []

// Short: nginx's unix sockets (relay servers) live under it, and a socket path has at most 107
// bytes wherever the repository is cloned. Base-36 milliseconds and the pid keep it unique.
const runDir = join(repo, '.tmp', `run-${Date.now().toString(36)}-${process.pid}`)
const childEnv = { ...process.env, ...colour, AOT_RUN_DIR: runDir }

// The docker leg needs an engine; without one there is nothing to run.
if (runIntegration && /(^|,)\s*docker\s*(,|$)/.test(process.env.AOT_LEGS ?? '')) {
  const check = spawnSync(process.execPath, ['--import', 'tsx', 'test/support/leg-report.ts', 'docker-check'], {
    cwd: repo,
    env: childEnv,
    stdio: ['ignore', 'inherit', 'inherit'],
  })
  if (check.status === DOCKER_SKIPPED_EXIT_CODE) process.exit(0)
  if (check.status !== 0) process.exit(check.status ?? 1)
}

mkdirSync(runDir, { recursive: true })
try {
  await main()
} finally {
  sweepLeftovers()
  if (process.env.AOT_KEEP_TMP !== '1') rmSync(runDir, { recursive: true, force: true })
}
finish()

async function main() {
  const srcChanged = gitChanges(['src', 'build.mjs', 'build-inline.mjs', 'package.json', 'package-lock.json'])
  const built = await check('build', 'npm', ['run', 'build'])
  if (runUnit) {
    // Unit tests run from src/ under Node: worth running even when the build failed.
    if (built) distCheck(srcChanged)
    await check('typecheck', 'npm', ['run', 'typecheck'])
    await avaStep('unit tests', 'test/unit', [])
  }
  if (runIntegration && !built) {
    heading('integration tests')
    console.log('not run: they test the built dist/, and the build failed')
    return
  }
  if (runIntegration) {
    if (!(await check('runtime legs', process.execPath, ['--import', 'tsx', 'test/support/leg-report.ts', 'versions']))) {
      console.log('Fix the legs above (or choose others with AOT_LEGS=…) before the integration tests.')
      return
    }
    await avaStep('integration tests', 'test/integration', ['--concurrency', '2'])
  }
}

/** Runs one step that is not a test run; a failure counts as one failed check. */
async function check(name, command, args) {
  heading(`${name}: ${[command === process.execPath ? 'node' : command, ...args].join(' ')}`)
  const { code } = await run(command, args)
  return record(name, code === 0)
}

function record(name, ok) {
  if (!ok) {
    failedChecks.push(name)
    totals.failed++
  }
  return ok
}

/** With src/ (and the build inputs) unchanged since HEAD, the fresh dist/ must be HEAD's dist/. */
function distCheck(srcChanged) {
  heading('dist check')
  if (srcChanged === undefined) {
    console.log('not a git checkout: dist check skipped')
    return
  }
  if (srcChanged.length > 0) {
    console.log(
      'dist check deferred: src/ or the build inputs have uncommitted changes ' +
        `(${srcChanged.slice(0, 3).join(', ')}${srcChanged.length > 3 ? ', …' : ''})`,
    )
    return
  }
  const distChanged = gitChanges(['dist'])
  if (distChanged.length === 0) {
    console.log('dist/ equals the committed dist/')
    return
  }
  console.log(`dist/ is stale: run npm run build and commit dist/ (differs: ${distChanged.join(', ')})`)
  record('dist check', false)
}

/** Paths under `paths` that differ from HEAD (untracked included); undefined outside git. */
function gitChanges(paths) {
  const status = spawnSync('git', ['status', '--porcelain', '--untracked-files=all', '--', ...paths], {
    cwd: repo,
    encoding: 'utf8',
  })
  if (status.status !== 0) return undefined
  return status.stdout
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => line.slice(3))
}

async function avaStep(name, folder, extraArgs) {
  const files = findTestFiles(join(repo, folder)).map((file) => relative(repo, file))
  heading(`${name}: ava ${folder} ${extraArgs.join(' ')}`.trimEnd())
  if (files.length === 0) {
    console.log(`no test files in ${folder}/ yet`)
    return
  }
  const ava = join(repo, 'node_modules/ava/entrypoints/cli.mjs')
  const { code, output } = await run(process.execPath, [ava, ...extraArgs, ...files])
  const counts = parseAvaSummary(output)
  totals.passed += counts.passed
  totals.failed += counts.failed
  totals.skipped += counts.skipped
  if (code !== 0 && counts.failed === 0) {
    console.log(`ava exited with code ${code} without a failing test: counted as 1 failed`)
    record(name, false)
  }
}

function findTestFiles(dir) {
  if (!existsSync(dir)) return []
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) return findTestFiles(path)
    return entry.name.endsWith('.test.ts') ? [path] : []
  })
}

/**
 * Totals from ava's default reporter. Its summary names the passed tests only when nothing failed;
 * otherwise the passed tests are counted from their `✔` lines.
 */
function parseAvaSummary(text) {
  const plain = text.replace(/\u001b\[[0-9;]*m/g, '')
  const count = (pattern) => plain.match(pattern)?.slice(1).map(Number).reduce((a, b) => a + b, 0) ?? 0
  const failed =
    count(/^\s*(\d+) tests? failed/m) +
    count(/^\s*(\d+) hooks? failed/m) +
    count(/^\s*(\d+) uncaught exceptions?/m) +
    count(/^\s*(\d+) unhandled rejections?/m) +
    count(/^\s*(\d+) tests? remained pending after a timeout/m)
  const summaryPassed = /^\s*(\d+) tests? passed/m.exec(plain)
  const passed = summaryPassed
    ? Number(summaryPassed[1])
    : (plain.match(/^\s*✔ (?!\[expected fail\])/gm) ?? []).length
  const skipped = count(/^\s*(\d+) tests? skipped/m) + count(/^\s*(\d+) tests? todo/m)
  return { passed: passed + count(/^\s*(\d+) known failures?/m), failed, skipped }
}

/** Runs a command with its output shown live and kept. */
function run(command, args) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: repo, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] })
    let output = ''
    const stepStarted = Date.now()
    for (const stream of [child.stdout, child.stderr]) {
      stream.setEncoding('utf8')
      stream.on('data', (chunk) => {
        output += chunk
        process.stdout.write(chunk)
      })
    }
    child.on('error', (error) => {
      output += error.message
      console.log(error.message)
      resolve({ code: 127, output })
    })
    child.on('close', (code) => {
      console.log(`(${seconds(Date.now() - stepStarted)}, exit code ${code})`)
      resolve({ code: code ?? 1, output })
    })
  })
}

/**
 * Stops what a crashed test worker left running: every pid recorded in <run dir>/pids/ whose
 * command line still names the program it was started as (test/nginx-harness/processes.ts).
 */
function sweepLeftovers() {
  const dir = join(runDir, 'pids')
  if (!existsSync(dir)) return
  for (const name of readdirSync(dir)) {
    const pid = Number(name)
    const program = readFileSync(join(dir, name), 'utf8').split('\n')[0]
    let commandLine = ''
    try {
      commandLine = readFileSync(`/proc/${pid}/cmdline`, 'utf8')
    } catch {
      continue // already gone
    }
    if (program !== '' && commandLine.includes(program)) {
      console.log(`stopping leftover process ${pid} (${program})`)
      try {
        process.kill(pid, 'SIGTERM')
      } catch {
        // gone meanwhile
      }
    }
  }
}

function heading(text) {
  console.log(`\n=== ${text}`)
}

function seconds(ms) {
  return `${(ms / 1000).toFixed(1)} s`
}

function finish() {
  console.log('')
  if (failedChecks.length > 0) console.log(`failed checks: ${failedChecks.join(', ')}`)
  console.log(`total time ${seconds(Date.now() - started)}`)
  const skipped = totals.skipped > 0 ? `, ${totals.skipped} skipped` : ''
  console.log(`${totals.passed} passed, ${totals.failed} failed${skipped}`)
  process.exitCode = totals.failed > 0 ? 1 : 0
}
