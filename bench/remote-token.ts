/**
 * `npm run bench:remote-token` — issue 15, point 6, for the refresh-token providers, on every
 * available leg (one worker): an openid-offline request whose introspection and exchange answers
 * are in proxy_cache (the IAM is the npm oidc-provider, test/integration/remote-token-fixtures.ts),
 * against the bench's reused RS256 token (bearer-cached), the same nginx, /authenticate, each
 * narrowed to its provider by X-Auth-Realm. With the grant cache as shipped (legs with a shared
 * dict answer both from it) and off (`grant_cache_ttl_in_ms: 0`: the remote layer itself).
 * Cost ratio = bearer req/s ÷ offline req/s, and offline ÷ bearer worker CPU per request (µs,
 * schedstat: what other processes hardly move); target ≤ 1.2. Rounds alternate; medians reported.
 * The machine is shared: quote ratios.
 *   npm run bench:remote-token -- [--legs bookworm,sid] [--seconds 4] [--rounds 3]
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startNginx, type NginxServer } from '../test/nginx-harness/nginx'
import { legByName, LOCAL_LEG_NAMES } from '../test/nginx-harness/runtimes'
import { IAM_REALM, PRIVATE_CLIENT, startOfflineIam } from '../test/integration/remote-token-fixtures'
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
const CONNECTIONS = 16

const log = (line: string) => process.stderr.write(`${line}\n`)
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]

async function main() {
  const idp = await startIdentityProvider(1, log)
  const iam = await startOfflineIam()
  const lines: string[] = []
  try {
    for (const name of LEGS) {
      const leg = legByName(name)
      const missing = leg.missing()
      if (missing !== undefined) {
        lines.push(`| ${name} | not available: ${missing} |`)
        continue
      }
      for (const grantCache of leg.features.sharedDict ? [true, false] : [false]) {
        const work = mkdtempSync(join(tmpdir(), `aot-bench-remote-token-${name}-`))
        const config = compile(work, idp.jwksUrl, iam, grantCache)
        const nginx = await startNginx({
          leg,
          label: `bench-remote-token-${name}`,
          configFile: config,
          errorLogLevel: 'notice',
          conf: ({ port }) => remoteBenchConf(leg.features.sharedDict, work, port),
        })
        try {
          const offlineToken = await iam.offlineToken()
          const bearer = [`Authorization: Bearer ${idp.cachedToken}`, 'X-Auth-Realm: idprealm']
          const offline = [`Authorization: Bearer ${offlineToken}`, `X-Auth-Realm: ${IAM_REALM}`]
          for (const headers of [bearer, offline]) await expect200(nginx, headers)
          const rps: { bearer: number[]; offline: number[] } = { bearer: [], offline: [] }
          const cpu: { bearer: number[]; offline: number[] } = { bearer: [], offline: [] }
          for (let round = 0; round < ROUNDS; round++) {
            const b = await wrk(nginx, bearer)
            const o = await wrk(nginx, offline)
            rps.bearer.push(b.rps)
            rps.offline.push(o.rps)
            cpu.bearer.push(b.cpuUs)
            cpu.offline.push(o.cpuUs)
          }
          const b = median(rps.bearer)
          const o = median(rps.offline)
          const bc = median(cpu.bearer)
          const oc = median(cpu.offline)
          const label = `${name} (grant cache ${grantCache ? 'on' : 'off'})`
          lines.push(
            `| ${label} | bearer-cached ${b.toFixed(0)} req/s, ${bc.toFixed(1)} µs | offline-cached ${o.toFixed(0)} req/s, ${oc.toFixed(1)} µs |` +
              ` cost ratio ${(b / o).toFixed(2)} (req/s), ${(oc / bc).toFixed(2)} (worker CPU) |`,
          )
          log(lines[lines.length - 1])
        } finally {
          await nginx.stop()
          rmSync(work, { recursive: true, force: true })
        }
      }
    }
  } finally {
    await iam.stop()
    await idp.stop?.()
  }
  process.stdout.write(`${lines.join('\n')}\n`)
}

function compile(work: string, jwksUrl: string, iam: Awaited<ReturnType<typeof startOfflineIam>>, grantCache: boolean): string {
  const yaml = [
    'version: 2.0.0',
    'logging: { level: warn, format: console }',
    `auth: { timeout_in_ms: 5000${grantCache ? '' : ', grant_cache_ttl_in_ms: 0'} }`,
    'providers:',
    `  - { name: idp, type: jwt, realm: idprealm, cert_uri: "${jwksUrl}", iam_realm: bench }`,
    `  - { name: desp, type: openid-offline, realm: ${IAM_REALM}, cert_uri: "${iam.jwksUrl}", iam_url: "${iam.url}",` +
      ` public_client_id: ${PRIVATE_CLIENT.id}, private_client_id: ${PRIVATE_CLIENT.id}, private_client_secret: ${PRIVATE_CLIENT.secret} }`,
    'store: { enabled: false }',
    'services: []',
    'jwt: { exp: 3600, iss: authotron-bench, secret: bench-secret-0123456789abcdef-0123456789abcdef }',
    'server: { port: 8080 }',
    '',
  ].join('\n')
  return compileWithSnippets(work, yaml)
}

main().catch((error) => {
  log(String(error?.stack ?? error))
  process.exit(1)
})

function wrk(nginx: NginxServer, headers: string[]): Promise<WrkResult & { cpuUs: number }> {
  return wrkAuthenticate(nginx, headers, CONNECTIONS, SECONDS)
}
