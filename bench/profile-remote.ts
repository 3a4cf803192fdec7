/**
 * Instructions per request of the remote providers' cached path (issue 15 point 6), under
 * callgrind, against the reused RS256 token (bearer-cached) in the same nginx: the deterministic
 * counterpart of bench/remote.ts and bench/remote-token.ts, whose req/s ratios a shared machine
 * blurs. One nginx (single process, `master_process off`) with the conf of those benches
 * (bench/lib/remote-bench.ts: the generated JWK Set and remote snippets, the relay server) and one
 * provider per case, each narrowed by X-Auth-Realm, `/authenticate`:
 *
 *   bearer      the bench's reused RS256 token (jwt provider)
 *   ecmwf-api   an ECMWF API key (fake who-am-i)
 *   efas-api    an EFAS token (fake EFAS lookup)
 *   offline     an openid-offline token (the npm oidc-provider as the IAM)
 *   generator   an ecmwf-token-generator refresh token (fake generator)
 *
 *   npx tsx bench/profile-remote.ts --leg sid [--cases bearer,offline] [--requests 100]
 *                                   [--grant-cache on|off] [--module FILE] [--out DIR]
 *
 * The provider timeout is 30 s: a miss under valgrind (the relay, the IAM) is slow. Grant cache off by default (`grant_cache_ttl_in_ms: 0`: the remote layer itself; bookworm has
 * none anyway). Each case is warmed up (its answers land in proxy_cache), then measured; a measured
 * request that reached a remote service (a cache entry expired under valgrind: the exchange's
 * lives 10 s) makes the case run again. Prints instructions per request and the ratio to
 * `bearer`; writes <out>/<leg>-remote-<case>.txt (callgrind_annotate, inclusive).
 */
import { execFileSync, spawn } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { Agent } from 'node:http'
import { join, resolve } from 'node:path'
import { freePorts, waitForPort } from '../test/nginx-harness/net'
import { AUTHOTRON_MODULE, makeTempDir } from '../test/nginx-harness/paths'
import { legByName } from '../test/nginx-harness/runtimes'
import { singleProcessConf } from '../test/nginx-harness/single-process'
import { startFakeRemote } from '../test/support/fake-remote'
import { efasLookup } from '../test/support/fake-ecmwf'
import {
  GENERATOR_CLIENT,
  IAM_REALM,
  PRIVATE_CLIENT,
  startOfflineIam,
  startTokenGenerator,
} from '../test/integration/remote-token-fixtures'
import { getStatus, instructionsPerRequest, stopNginx } from './lib/callgrind'
import { compileWithSnippets, remoteBenchConf, REMOTE_API_KEY, startFakeWhoAmI } from './lib/remote-bench'
import { BENCH_DIR } from './lib/servers'
import { startIdentityProvider } from './lib/tokens'

const CASE_NAMES = ['bearer', 'ecmwf-api', 'efas-api', 'offline', 'generator'] as const
type CaseName = (typeof CASE_NAMES)[number]
const EFAS_TOKEN = 'bench-efas-token-0123456789abcdef'

function option(name: string, fallback: string): string {
  const index = process.argv.indexOf(name)
  return index === -1 ? fallback : process.argv[index + 1]
}

const log = (line: string) => process.stderr.write(`${line}\n`)

async function main(): Promise<void> {
  const leg = legByName(option('--leg', 'sid'))
  const cases = option('--cases', CASE_NAMES.join(',')).split(',') as CaseName[]
  for (const id of cases) if (!CASE_NAMES.includes(id)) throw new Error(`unknown case ${id}`)
  if (!cases.includes('bearer')) cases.unshift('bearer')
  const requests = Number(option('--requests', '100'))
  const grantCache = option('--grant-cache', 'off') === 'on'
  const moduleFile = resolve(option('--module', AUTHOTRON_MODULE))
  const outDir = option('--out', join(BENCH_DIR, 'results/profiles'))
  const missing = leg.missing()
  if (missing) throw new Error(missing)

  const idp = await startIdentityProvider(1, log)
  const whoAmI = await startFakeWhoAmI()
  const efas = await startFakeRemote({ '/efas': efasLookup({ [EFAS_TOKEN]: { username: 'eve', roles: ['r'], email: 'eve@example.org' } }) })
  const iam = await startOfflineIam()
  const generator = await startTokenGenerator()
  const upstreamCalls = () => whoAmI.calls() + efas.requests().length + iam.requests.length + generator.requests.length
  const work = makeTempDir(`profile-remote-${leg.name}`)
  const yaml = [
    'version: 2.0.0',
    'logging: { level: warn, format: console }',
    `auth: { timeout_in_ms: 30000${grantCache ? '' : ', grant_cache_ttl_in_ms: 0'} }`,
    'providers:',
    `  - { name: idp, type: jwt, realm: idprealm, cert_uri: "${idp.jwksUrl}", iam_realm: bench }`,
    `  - { name: ecmwf, type: ecmwf-api, realm: ecmwf, uri: "${whoAmI.url}" }`,
    `  - { name: efas, type: efas-api, realm: efasrealm, uri: "${efas.url('/efas')}" }`,
    `  - { name: desp, type: openid-offline, realm: ${IAM_REALM}, cert_uri: "${iam.jwksUrl}", iam_url: "${iam.url}",` +
      ` public_client_id: ${PRIVATE_CLIENT.id}, private_client_id: ${PRIVATE_CLIENT.id}, private_client_secret: ${PRIVATE_CLIENT.secret} }`,
    `  - { name: tg, type: ecmwf-token-generator, realm: tgrealm, cert_uri: "${generator.jwksUrl}",` +
      ` token_generator_url: "${generator.url}", client_id: ${GENERATOR_CLIENT.id}, client_secret: ${GENERATOR_CLIENT.secret} }`,
    'store: { enabled: false }',
    'services: []',
    'jwt: { exp: 3600, iss: authotron-bench, secret: bench-secret-0123456789abcdef-0123456789abcdef }',
    'server: { port: 8080 }',
    '',
  ].join('\n')
  const config = compileWithSnippets(work, yaml)
  const [port] = await freePorts(1)
  writeFileSync(
    join(work, 'nginx.conf'),
    singleProcessConf(leg, work, [
      `js_import authotron from ${moduleFile};`,
      `js_preload_object authotron_cfg from ${config};`,
      `js_var $authotron_config_file ${config};`,
      remoteBenchConf(leg.features.sharedDict, work, port),
    ]),
  )
  const headersOf: { [id in CaseName]: () => Promise<{ [name: string]: string }> } = {
    bearer: async () => ({ Authorization: `Bearer ${idp.cachedToken}`, 'X-Auth-Realm': 'idprealm' }),
    'ecmwf-api': async () => ({ Authorization: `Bearer ${REMOTE_API_KEY}`, 'X-Auth-Realm': 'ecmwf' }),
    // efas-api's challenge realm is `efas` (docs/compatibility.md); X-Auth-Realm names that.
    'efas-api': async () => ({ Authorization: `Bearer ${EFAS_TOKEN}`, 'X-Auth-Realm': 'efas' }),
    offline: async () => ({ Authorization: `Bearer ${await iam.offlineToken()}`, 'X-Auth-Realm': IAM_REALM }),
    generator: async () => ({ Authorization: `Bearer ${generator.issue()}`, 'X-Auth-Realm': 'tgrealm' }),
  }
  const out = join(work, 'callgrind.out')
  const { file, args } = leg.nginxCommand(['-p', `${work}/`, '-c', join(work, 'nginx.conf'), '-e', join(work, 'error.log')])
  const child = spawn('valgrind', ['--tool=callgrind', '--instr-atstart=no', `--callgrind-out-file=${out}`, file, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  child.stdout.on('data', (d) => (output += d))
  child.stderr.on('data', (d) => (output += d))
  const perRequest: { [id: string]: number } = {}
  let dumps = 0
  try {
    await waitForPort(port, 120_000, () => {
      if (child.exitCode !== null) throw new Error(`nginx under valgrind exited:\n${output}`)
    })
    for (const id of cases) {
      const headers = await headersOf[id]()
      const agent = new Agent({ keepAlive: true, maxSockets: 1 })
      for (let attempt = 1; ; attempt++) {
        // Warm up: answers in proxy_cache, JWK Sets fetched, QuickJS contexts built.
        for (let i = 0; i < 20; i++) {
          const status = await getStatus(port, '/authenticate', headers, agent)
          if (status !== 200) throw new Error(`${id} answered ${status}:\n${output.slice(-2000)}`)
        }
        const before = upstreamCalls()
        execFileSync('callgrind_control', ['-z', String(child.pid)], { stdio: 'ignore' })
        execFileSync('callgrind_control', ['-i', 'on', String(child.pid)], { stdio: 'ignore' })
        for (let i = 0; i < requests; i++) {
          const status = await getStatus(port, '/authenticate', headers, agent)
          if (status !== 200) throw new Error(`${id} answered ${status}`)
        }
        execFileSync('callgrind_control', ['-i', 'off', String(child.pid)], { stdio: 'ignore' })
        execFileSync('callgrind_control', ['-d', id, String(child.pid)], { stdio: 'ignore' })
        dumps++
        const dump = `${out}.${dumps}`
        const calls = upstreamCalls() - before
        if (calls > 0 && attempt < 4) {
          log(`${id}: ${calls} upstream call(s) during the measured requests (an entry expired): again`)
          continue
        }
        if (calls > 0) log(`${id}: ${calls} upstream call(s) during the measured requests: included`)
        const annotate = execFileSync('callgrind_annotate', ['--inclusive=yes', '--threshold=99', dump], {
          encoding: 'utf8',
          maxBuffer: 64 << 20,
        })
        perRequest[id] = instructionsPerRequest(annotate, requests)
        const top = annotate
          .split('\n')
          .filter((line) => /^\s*[\d,]+ \(/.test(line))
          .slice(0, 60)
          .map((line) => line.replace(/ \[\/[^\]]*\/([^/\]]+)\]$/, ' [$1]'))
          .join('\n')
        mkdirSync(outDir, { recursive: true })
        writeFileSync(
          join(outDir, `${leg.name}-remote-${id}.txt`),
          `# npx tsx bench/profile-remote.ts --leg ${leg.name} --cases ${id} --requests ${requests} --grant-cache ${grantCache ? 'on' : 'off'}\n` +
            `# ${perRequest[id]} instructions per request (callgrind Ir, measured requests only, after 20 warm-up requests)\n` +
            `# top 60 functions by inclusive cost (callgrind_annotate --inclusive=yes)\n\n${top}\n`,
        )
        break
      }
      agent.destroy()
      const ratio = perRequest[id] / perRequest.bearer
      process.stdout.write(
        `${leg.name} grant cache ${grantCache ? 'on' : 'off'} ${id}: ${perRequest[id].toLocaleString('en')} instructions per request, ${ratio.toFixed(2)}× bearer\n`,
      )
    }
  } finally {
    await stopNginx(child)
    await Promise.all([whoAmI.stop(), efas.stop(), iam.stop(), generator.stop(), idp.stop?.()])
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    process.stderr.write(`profile-remote: ${error instanceof Error ? error.stack : String(error)}\n`)
    process.exit(1)
  },
)
