/**
 * What test/run.mjs asks about the runtime legs before the integration tests:
 *
 *   node --import tsx test/support/leg-report.ts versions      one line per selected leg:
 *                                                             `leg sid-qjs: nginx 1.30.6, njs 1.0.2 (QuickJS)`
 *   node --import tsx test/support/leg-report.ts docker-check  exit 0 when AOT_LEGS selects no docker
 *                                                             leg or an engine answers; else prints
 *                                                             why the docker leg is skipped, exit 3
 */
import { dockerEngineProblem, dockerSkippedMessage } from '../nginx-harness/docker'
import { describeVersions, probeVersions } from '../nginx-harness/nginx'
import { selectedLegs, versionAtLeast, type RuntimeLeg } from '../nginx-harness/runtimes'

export const DOCKER_SKIPPED_EXIT_CODE = 3

async function versions(): Promise<number> {
  const legs = selectedLegs()
  const results = await Promise.allSettled(legs.map((leg) => probeVersions(leg)))
  let failed = 0
  results.forEach((result, i) => {
    const leg = legs[i]
    if (result.status === 'rejected') {
      failed++
      const message = (result.reason as Error).message.replace(`leg ${leg.name}: `, '')
      console.log(`leg ${leg.name}: UNAVAILABLE — ${message}`)
      return
    }
    const mismatch = versionMismatch(leg, result.value)
    if (mismatch !== undefined) failed++
    console.log(describeVersions(leg, result.value) + (mismatch ? ` — UNEXPECTED: ${mismatch}` : ''))
  })
  return failed === 0 ? 0 : 1
}

/** Why `found` is not what `leg` promises, or undefined. */
export function versionMismatch(
  leg: RuntimeLeg,
  found: { nginx: string; njs: string; engine: string },
): string | undefined {
  const { expected } = leg
  const problems: string[] = []
  const check = (what: 'nginx' | 'njs') => {
    const ok = expected.exact ? found[what] === expected[what] : versionAtLeast(found[what], expected[what])
    if (!ok) problems.push(`${what} ${expected.exact ? '' : '≥ '}${expected[what]} expected`)
  }
  check('nginx')
  check('njs')
  if (found.engine !== expected.engine) problems.push(`engine ${expected.engine} expected`)
  return problems.length > 0 ? problems.join(', ') : undefined
}

async function dockerCheck(): Promise<number> {
  if (!selectedLegs().some((leg) => leg.kind === 'docker')) return 0
  const problem = await dockerEngineProblem()
  if (problem === undefined) return 0
  console.log(dockerSkippedMessage(problem))
  return DOCKER_SKIPPED_EXIT_CODE
}

const commands: { [name: string]: () => Promise<number> } = {
  versions,
  'docker-check': dockerCheck,
}

const command = commands[process.argv[2] ?? '']
if (process.argv[1]?.endsWith('leg-report.ts')) {
  if (!command) {
    console.error(`usage: leg-report.ts ${Object.keys(commands).join('|')}`)
    process.exit(2)
  }
  process.exitCode = await command().catch((error: Error) => {
    console.log(`leg-report: ${error.message}`)
    return 1
  })
}
