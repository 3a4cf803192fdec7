/**
 * `npm run bench:remote` — issue 15, points 3 and 6, on every available leg (one worker):
 *
 *   remote-cached vs bearer-cached  the same nginx, /authenticate, `X-Auth-Realm` narrowing each
 *                                   request to one provider: an ECMWF API key whose who-am-i answer
 *                                   is in proxy_cache, against the bench's reused RS256 token
 *                                   (bench/lib/tokens.ts). Measured with the grant cache as
 *                                   shipped (legs with a shared dict answer both from it) and with
 *                                   it off (`grant_cache_ttl_in_ms: 0`: the remote layer itself).
 *                                   Cost ratio = bearer req/s ÷ remote req/s, and remote ÷
 *                                   bearer worker CPU per request (schedstat; target ≤ 1.2).
 *   basic during an ECMWF API hang  p99 of a Basic user of another realm, alone and while 32
 *                                   requests keep waiting on a who-am-i that never answers (two
 *                                   consecutive runs: on QuickJS the first includes building the
 *                                   JS contexts the held requests took from the pool).
 *
 * Rounds alternate the cases; medians are reported. The machine is shared: quote ratios.
 *   npm run bench:remote -- [--legs bookworm,sid] [--seconds 4] [--rounds 3] [--hang-only] [--module FILE]
 *
 * --hang-only skips the cost ratio (grant cache off, the hang only); --module FILE imports another
 * bundle than the leg's own (dist/authotron-qjs.js on QuickJS, dist/authotron.js elsewhere), e.g.
 * `--legs sid-qjs --module dist/authotron.js` for the QuickJS hang with the lazy-unit bundle.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, join, resolve } from 'node:path'
import { authotronModuleFor, startNginx, type NginxServer } from '../test/nginx-harness/nginx'
import { legByName, LOCAL_LEG_NAMES } from '../test/nginx-harness/runtimes'
import { startFakeRemote } from '../test/support/fake-remote'
import { whoAmI } from '../test/support/fake-ecmwf'
import { startIdentityProvider } from './lib/tokens'
import type { WrkResult } from './lib/wrk'
import { compileWithSnippets, expect200, remoteBenchConf, wrkAuthenticate } from './lib/remote-bench'

const args = process.argv.slice(2)
const option = (name: string, fallback: string) => {
  const at = args.indexOf(`--${name}`)
  return at >= 0 && args[at + 1] !== undefined ? args[at + 1] : fallback
}
const LEGS = option('legs', LOCAL_LEG_NAMES.join(',')).split(',')
const SECONDS = Number(option('seconds', '4'))
const ROUNDS = Number(option('rounds', '3'))
const HANG_ONLY = args.includes('--hang-only')
const MODULE = args.includes('--module') ? resolve(option('module', '')) : undefined
const CONNECTIONS = 16
const API_KEY = 'bench-api-key-0123456789abcdef'
const BASIC = `Basic ${Buffer.from('bench:bench-password').toString('base64')}`

const log = (line: string) => process.stderr.write(`${line}\n`)
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]

async function main() {
  const idp = await startIdentityProvider(1, log)
  const remote = await startFakeRemote({
    '/v1/who-am-i': (request) => {
      const token = request.query.get('token') ?? ''
      if (token.startsWith('hang-')) return { hang: true }
      return whoAmI({ [API_KEY]: { uid: 'bench', email: 'bench@ecmwf.int' } })(request)
    },
  })
  const lines: string[] = []
  try {
    for (const name of LEGS) {
      const leg = legByName(name)
      const missing = leg.missing()
      if (missing !== undefined) {
        lines.push(`| ${name} | not available: ${missing} |`)
        continue
      }
      for (const grantCache of leg.features.sharedDict && !HANG_ONLY ? [true, false] : [false]) {
        const work = mkdtempSync(join(tmpdir(), `aot-bench-remote-${name}-`))
        const config = compile(work, idp.jwksUrl, remote.url('/v1'), grantCache)
        const nginx = await startNginx({
          leg,
          label: `bench-remote-${name}`,
          configFile: config,
          errorLogLevel: 'notice',
          module: MODULE,
          conf: ({ port }) => remoteBenchConf(leg.features.sharedDict, work, port),
        })
        try {
          const bearer = [`Authorization: Bearer ${idp.cachedToken}`, 'X-Auth-Realm: idprealm']
          const api = [`Authorization: Bearer ${API_KEY}`, 'X-Auth-Realm: ecmwf']
          for (const headers of [bearer, api]) await expect200(nginx, headers)
          const rps: { bearer: number[]; remote: number[] } = { bearer: [], remote: [] }
          const cpu: { bearer: number[]; remote: number[] } = { bearer: [], remote: [] }
          for (let round = 0; round < (HANG_ONLY ? 0 : ROUNDS); round++) {
            const b = await wrk(nginx, bearer)
            const r = await wrk(nginx, api)
            rps.bearer.push(b.rps)
            rps.remote.push(r.rps)
            cpu.bearer.push(b.cpuUs)
            cpu.remote.push(r.cpuUs)
          }
          if (!HANG_ONLY) {
            const b = median(rps.bearer)
            const r = median(rps.remote)
            const bc = median(cpu.bearer)
            const rc = median(cpu.remote)
            const label = `${name} (grant cache ${grantCache ? 'on' : 'off'})`
            lines.push(
              `| ${label} | bearer-cached ${b.toFixed(0)} req/s, ${bc.toFixed(1)} µs | remote-cached ${r.toFixed(0)} req/s, ${rc.toFixed(1)} µs |` +
                ` cost ratio ${(b / r).toFixed(2)} (req/s), ${(rc / bc).toFixed(2)} (worker CPU) |`,
            )
            log(lines[lines.length - 1])
          }
          if (!grantCache) lines.push(await hang(nginx, `${name} (${basename(MODULE ?? authotronModuleFor(leg))})`))
        } finally {
          await nginx.stop()
          rmSync(work, { recursive: true, force: true })
        }
      }
    }
  } finally {
    await remote.stop()
    await idp.stop?.()
  }
  process.stdout.write(`${lines.join('\n')}\n`)
}

function compile(work: string, jwksUrl: string, apiUrl: string, grantCache: boolean): string {
  const yaml = [
    'version: 2.0.0',
    'logging: { level: warn, format: console }',
    `auth: { timeout_in_ms: 5000${grantCache ? '' : ', grant_cache_ttl_in_ms: 0'} }`,
    'providers:',
    '  - { name: local, type: plain, realm: localrealm, users: [{ username: bench, password: bench-password }] }',
    `  - { name: idp, type: jwt, realm: idprealm, cert_uri: "${jwksUrl}", iam_realm: bench }`,
    `  - { name: ecmwf, type: ecmwf-api, realm: ecmwf, uri: "${apiUrl}" }`,
    'store: { enabled: false }',
    'services: []',
    'jwt: { exp: 3600, iss: authotron-bench, secret: bench-secret-0123456789abcdef-0123456789abcdef }',
    'server: { port: 8080 }',
    '',
  ].join('\n')
  return compileWithSnippets(work, yaml)
}

/** p99 of Basic alone, then while 32 who-am-i calls hang (each replaced when its 5 s timeout ends). */
async function hang(nginx: NginxServer, name: string): Promise<string> {
  const basic = [`Authorization: ${BASIC}`]
  const alone = await wrk(nginx, basic)
  let stop = false
  let n = 0
  const hanging = Array.from({ length: 32 }, async () => {
    while (!stop) {
      const response = await fetch(nginx.url('/authenticate'), {
        headers: { Authorization: `Bearer hang-${n++}-${Date.now()}`, 'X-Auth-Realm': 'ecmwf' },
      })
      await response.arrayBuffer()
    }
  })
  await new Promise((resolve) => setTimeout(resolve, 300))
  // Two runs: on QuickJS the first one also pays for the JS contexts the 32 held requests took
  // from the worker's pool (each new one is a new runtime, built while the worker waits).
  const during = await wrk(nginx, basic)
  const again = await wrk(nginx, basic)
  stop = true
  await Promise.all(hanging)
  // wrk reports a p99 of 0 when nothing was answered in its window: say so instead.
  const p99 = (result: WrkResult) => (result.rps === 0 ? `nothing answered in ${SECONDS} s` : `${result.p99Ms.toFixed(2)} ms`)
  const line =
    `| ${name} Basic p99 | alone ${p99(alone)} (${alone.rps.toFixed(0)} req/s) | during the hang ` +
    `${p99(during)} (${during.rps.toFixed(0)} req/s), next ${SECONDS} s ${p99(again)} ` +
    `(${again.rps.toFixed(0)} req/s) | ${n} hanging calls |`
  log(line)
  return line
}

main().catch((error) => {
  log(String(error?.stack ?? error))
  process.exit(1)
})

function wrk(nginx: NginxServer, headers: string[]): Promise<WrkResult & { cpuUs: number }> {
  return wrkAuthenticate(nginx, headers, CONNECTIONS, SECONDS)
}
