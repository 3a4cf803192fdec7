/**
 * The `docker` leg: the same integration suite against the official nginx image, through
 * testcontainers. The container shares the host's network (so the conf's 127.0.0.1 ports and the
 * fake upstreams work unchanged) and sees the repository at the same absolute path (read-only) and
 * this run's temp folder (read-write), so every path the harness writes into a conf is valid in it.
 */
import { existsSync } from 'node:fs'
import type { StartedTestContainer } from 'testcontainers'
import type { NginxRunner } from './nginx'
import { REPO_ROOT, runDir } from './paths'
import { DOCKER_IMAGE, LOCAL_LEG_NAMES, type RuntimeLeg } from './runtimes'

/**
 * Why no Docker engine can be used from here, or undefined when one answers. testcontainers tries
 * DOCKER_HOST, ~/.testcontainers.properties and the usual sockets.
 */
export async function dockerEngineProblem(): Promise<string | undefined> {
  try {
    const { getContainerRuntimeClient } = await loadTestcontainers()
    const client = await getContainerRuntimeClient()
    await client.info
    return undefined
  } catch (error) {
    const tried = process.env.DOCKER_HOST
      ? `DOCKER_HOST=${process.env.DOCKER_HOST}`
      : `/var/run/docker.sock ${existsSync('/var/run/docker.sock') ? 'does not answer' : 'does not exist'}`
    return `${(error as Error).message}; ${tried}`
  }
}

/** The line test/run.mjs prints when AOT_LEGS selects the docker leg and no engine answers. */
export function dockerSkippedMessage(problem: string): string {
  return (
    `docker leg: SKIPPED — no Docker engine reachable (${problem}); ` +
    `CI runs the local legs ${LOCAL_LEG_NAMES.join(', ')}`
  )
}

/** Loaded on first use: testcontainers takes most of a second to import. */
function loadTestcontainers(): Promise<typeof import('testcontainers')> {
  return import('testcontainers')
}

export function startNginxContainer(leg: RuntimeLeg, nginxArgs: string[]): NginxRunner {
  let container: StartedTestContainer | undefined
  let exitStatus: string | undefined
  let output = ''
  const started = loadTestcontainers()
    .then(({ GenericContainer }) => new GenericContainer(DOCKER_IMAGE)
    .withNetworkMode('host')
    .withBindMounts([
      { source: REPO_ROOT, target: REPO_ROOT, mode: 'ro' },
      { source: runDir(), target: runDir(), mode: 'rw' },
    ])
    // The image's entrypoint runs its setup scripts, then execs this: nginx is pid 1.
    .withCommand(['nginx', ...nginxArgs])
    .withStartupTimeout(120_000)
    .start())
    .then(async (running) => {
      container = running
      const logs = await running.logs()
      logs.setEncoding('utf8')
      logs.on('data', (chunk: string) => (output += chunk))
      logs.on('end', () => (exitStatus ??= 'exited (container stopped)'))
      return running
    })
    .catch((error: Error) => {
      exitStatus = `leg ${leg.name}: could not start a ${DOCKER_IMAGE} container: ${error.message}`
      throw error
    })
  // Failures surface through exitStatus() while the harness waits for the port.
  started.catch(() => {})
  const ready = async () => container ?? (await started)
  return {
    exitStatus: () => exitStatus,
    output: () => output,
    async sendReload() {
      await (await ready()).exec(['sh', '-c', 'kill -HUP 1'])
    },
    async stop() {
      const running = container ?? (await started.catch(() => undefined))
      exitStatus ??= 'exited (stopped)'
      await running?.stop()
    },
  }
}
