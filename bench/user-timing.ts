/**
 * Issue 19: does a Basic refusal tell a known username from an unknown one by its timing? On each
 * leg, one nginx per bundle (a baseline and dist/authotron.js) serving /authenticate with the
 * demo's users; requests alternate a known username with a wrong password and an unknown username
 * with a password of the same length (the same header length), one at a time over one keep-alive
 * connection, and the client times each. Prints the median of each kind per run.
 *
 *   git show <commit>:dist/authotron.js > /tmp/before.js
 *   npx tsx bench/user-timing.ts [--baseline /tmp/before.js] [--legs bookworm,sid] [--runs 3] [--samples 3000]
 *
 * Only talks to 127.0.0.1.
 */
import { readFileSync } from 'node:fs'
import { Agent, request } from 'node:http'
import { join, resolve } from 'node:path'
import { startNginx, type NginxServer } from '../test/nginx-harness/nginx'
import { AUTHOTRON_MODULE, REPO_ROOT } from '../test/nginx-harness/paths'
import { legByName } from '../test/nginx-harness/runtimes'

function option(name: string, fallback: string | undefined): string | undefined {
  const index = process.argv.indexOf(name)
  return index !== -1 ? process.argv[index + 1] : fallback
}

const basic = (username: string, password: string) => 'Basic ' + Buffer.from(`${username}:${password}`).toString('base64')
const KNOWN = basic('test_user', 'wrong-password')
const UNKNOWN = basic('test_uzer', 'wrong-password')

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[sorted.length >> 1]
}

function timed(agent: Agent, port: number, authorization: string): Promise<number> {
  return new Promise((done, fail) => {
    const started = process.hrtime.bigint()
    const req = request({ host: '127.0.0.1', port, path: '/authenticate', agent, headers: { Authorization: authorization } }, (res) => {
      res.resume()
      res.on('end', () => {
        if (res.statusCode !== 401) fail(new Error(`answered ${res.statusCode}, not 401`))
        else done(Number(process.hrtime.bigint() - started) / 1000)
      })
    })
    req.on('error', fail)
    req.end()
  })
}

async function runs(server: NginxServer, count: number, samples: number): Promise<string[]> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 })
  for (let i = 0; i < 500; i++) await timed(agent, server.port, i % 2 ? KNOWN : UNKNOWN)
  const lines: string[] = []
  for (let run = 0; run < count; run++) {
    const known: number[] = []
    const unknown: number[] = []
    // Both orders: known first in even runs, unknown first in odd ones.
    for (let i = 0; i < samples; i++) {
      const knownFirst = (i + run) % 2 === 0
      const first = await timed(agent, server.port, knownFirst ? KNOWN : UNKNOWN)
      const second = await timed(agent, server.port, knownFirst ? UNKNOWN : KNOWN)
      known.push(knownFirst ? first : second)
      unknown.push(knownFirst ? second : first)
    }
    const k = median(known)
    const u = median(unknown)
    lines.push(`known ${k.toFixed(1)} µs, unknown ${u.toFixed(1)} µs, difference ${(k - u).toFixed(1)} µs`)
  }
  agent.destroy()
  return lines
}

async function main(): Promise<void> {
  const baseline = option('--baseline', undefined)
  const legs = option('--legs', 'bookworm,sid')!.split(',')
  const count = Number(option('--runs', '3'))
  const samples = Number(option('--samples', '3000'))
  const config = readFileSync(join(REPO_ROOT, 'nginx/demo/config.yaml'), 'utf8')
  const bundles: [string, string][] = [['current', AUTHOTRON_MODULE]]
  if (baseline !== undefined) bundles.unshift(['baseline', resolve(baseline)])
  for (const name of legs) {
    const leg = legByName(name)
    for (const [label, module] of bundles) {
      const server = await startNginx({
        leg,
        config,
        module,
        label: 'user-timing',
        conf: ({ port, paths }) => `
${leg.features.sharedDict ? `include ${paths.repo}/nginx/authotron-cache.conf;` : ''}
server {
    listen 127.0.0.1:${port};
    access_log off;
    include ${paths.repo}/nginx/authotron-endpoints.conf;
}`,
      })
      try {
        for (const line of await runs(server, count, samples)) process.stdout.write(`${name} ${label}: ${line}\n`)
      } finally {
        await server.stop()
      }
    }
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    process.stderr.write(`user-timing: ${error instanceof Error ? error.stack : String(error)}\n`)
    process.exit(1)
  },
)
