/**
 * A real DNS server (Debian's dnsmasq, package `dnsmasq-base`) for the tests of the remote
 * providers' `resolver`: it answers on 127.0.0.1:<free port>, UDP and TCP, from a hosts file of its
 * own, and nothing else (no upstream servers, no /etc/hosts; other names under `.test` are
 * NXDOMAIN). `setHosts` rewrites the file, sends SIGHUP (dnsmasq re-reads it) and resolves once the
 * server answers the new addresses. Answers carry TTL 0, so what a client reuses is its own choice
 * (nginx: `resolver … valid=`).
 *
 *   const dns = await startDnsmasq({ 'svc.test': '127.0.0.1' })
 *   resolver: dns.address            // 127.0.0.1:PORT
 *   await dns.setHosts({ 'svc.test': '127.0.0.2' })
 *   await dns.stop()
 *
 * Missing dnsmasq fails the test with the fix (never skips). The test process stops it on exit
 * whatever happens (test/nginx-harness/processes.ts).
 */
import { existsSync, rmSync, writeFileSync } from 'node:fs'
import { Resolver } from 'node:dns/promises'
import { userInfo } from 'node:os'
import { join } from 'node:path'
import { freePort, releasePorts } from '../nginx-harness/net'
import { makeTempDir } from '../nginx-harness/paths'
import { delay, startProcess, type ManagedProcess } from '../nginx-harness/processes'

export const DNSMASQ = '/usr/sbin/dnsmasq'

/** Host name → IPv4 address. */
export type Hosts = { [name: string]: string }

export interface Dnsmasq {
  port: number
  /** `127.0.0.1:PORT`, as nginx's `resolver` takes it. */
  address: string
  /** Answer these from now on (the hosts file rewritten, dnsmasq told with SIGHUP). */
  setHosts(hosts: Hosts): Promise<void>
  /** What dnsmasq answers for `name` now (A records). */
  lookup(name: string): Promise<string[]>
  stop(): Promise<void>
}

/** Why dnsmasq cannot run here, with the fix; undefined when it can. */
export function dnsmasqAvailable(): string | undefined {
  return existsSync(DNSMASQ)
    ? undefined
    : `${DNSMASQ} not found: the resolver tests need a real DNS server. Fix: apt-get install -y dnsmasq-base ` +
        '(test/runtimes/install-debian.sh installs it)'
}

export async function startDnsmasq(hosts: Hosts): Promise<Dnsmasq> {
  const missing = dnsmasqAvailable()
  if (missing !== undefined) throw new Error(missing)
  const dir = makeTempDir('dnsmasq')
  const hostsFile = join(dir, 'hosts')
  const writeHosts = (entries: Hosts) =>
    writeFileSync(hostsFile, Object.keys(entries).map((name) => `${entries[name]} ${name}\n`).join(''))
  writeHosts(hosts)
  const port = await freePort()
  const server: ManagedProcess = startProcess('dnsmasq', DNSMASQ, [
    '--keep-in-foreground',
    '--conf-file=/dev/null',
    '--pid-file', // none
    `--user=${userInfo().username}`,
    '--no-resolv',
    '--no-hosts',
    `--addn-hosts=${hostsFile}`,
    '--local=/test/', // other .test names: NXDOMAIN, never forwarded
    '--listen-address=127.0.0.1',
    '--bind-interfaces',
    `--port=${port}`,
    '--log-facility=-',
  ])
  const resolver = new Resolver({ timeout: 500, tries: 1 })
  resolver.setServers([`127.0.0.1:${port}`])
  const lookup = (name: string) => resolver.resolve4(name).catch(() => [] as string[])
  /** Until dnsmasq answers `entries` (it reads the file at start and on SIGHUP). */
  const answering = async (entries: Hosts) => {
    const deadline = Date.now() + 10_000
    for (;;) {
      if (server.hasExited()) throw new Error(`dnsmasq exited (${server.exitStatus()}): ${server.output()}`)
      const answers = await Promise.all(Object.keys(entries).map((name) => lookup(name)))
      if (Object.keys(entries).every((name, i) => answers[i].join() === entries[name])) return
      if (Date.now() > deadline) throw new Error(`dnsmasq does not answer ${JSON.stringify(entries)}: ${server.output()}`)
      await delay(50)
    }
  }
  await answering(hosts)
  return {
    port,
    address: `127.0.0.1:${port}`,
    async setHosts(entries) {
      writeHosts(entries)
      server.child.kill('SIGHUP')
      await answering(entries)
    },
    lookup,
    async stop() {
      await server.stop('SIGTERM', 5000)
      releasePorts([port])
      if (process.env.AOT_KEEP_TMP !== '1') rmSync(dir, { recursive: true, force: true })
    },
  }
}
