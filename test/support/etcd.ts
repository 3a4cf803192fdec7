/**
 * A real etcd (Debian's `etcd-server` 3.4) for the token store's etcd tests: one member in a temp
 * data folder, on two free loopback ports, started with `startEtcd()`. `stop()` and `start()` keep
 * the data (the outage tests); `dispose()` stops it and removes the folder. The test process stops
 * it on exit whatever happens (test/nginx-harness/processes.ts). Needs etcd-server
 * (test/runtimes/install-debian.sh).
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePorts, waitForPort } from '../nginx-harness/net'
import { startProcess, type ManagedProcess } from '../nginx-harness/processes'

export const ETCD = '/usr/bin/etcd'

export interface Etcd {
  /** The client port: etcd's v3 JSON gateway answers on `http://127.0.0.1:<port>/v3/…`. */
  port: number
  stop(): Promise<void>
  start(): Promise<void>
  dispose(): Promise<void>
}

/** Why etcd cannot run here, with the fix; undefined when it can. */
export function etcdAvailable(): string | undefined {
  return existsSync(ETCD) ? undefined : `${ETCD} not found. Fix: apt-get install -y etcd-server`
}

export async function startEtcd(): Promise<Etcd> {
  const missing = etcdAvailable()
  if (missing !== undefined) throw new Error(missing)
  const dir = mkdtempSync(join(tmpdir(), 'aot-etcd-'))
  const [port, peerPort] = await freePorts(2)
  const client = `http://127.0.0.1:${port}`
  const peer = `http://127.0.0.1:${peerPort}`
  const args = [
    '--name', 'authotron-test',
    '--data-dir', join(dir, 'data'),
    '--listen-client-urls', client,
    '--advertise-client-urls', client,
    '--listen-peer-urls', peer,
    '--initial-advertise-peer-urls', peer,
    '--initial-cluster', `authotron-test=${peer}`,
    '--log-level', 'error',
    '--logger', 'zap',
  ]
  let server: ManagedProcess | undefined
  const etcd: Etcd = {
    port,
    async start() {
      const started = startProcess('etcd', ETCD, args, { env: { ...process.env, ETCD_UNSUPPORTED_ARCH: process.arch === 'x64' ? '' : process.arch } })
      server = started
      await waitForPort(port, 20_000, () => {
        if (started.hasExited()) throw new Error(`etcd exited (${started.exitStatus()}): ${started.output()}`)
      })
      // Listening is not serving: wait until the member answers a read.
      const deadline = Date.now() + 20_000
      for (;;) {
        try {
          const answer = await fetch(`${client}/v3/kv/range`, { method: 'POST', body: JSON.stringify({ key: 'eA==' }) })
          if (answer.ok) return
        } catch {
          // not yet
        }
        if (Date.now() > deadline) throw new Error(`etcd does not answer: ${started.output()}`)
        await new Promise((resolve) => setTimeout(resolve, 50))
      }
    },
    async stop() {
      await server?.stop('SIGTERM', 5000)
      server = undefined
    },
    async dispose() {
      await etcd.stop()
      rmSync(dir, { recursive: true, force: true })
    },
  }
  await etcd.start()
  return etcd
}
