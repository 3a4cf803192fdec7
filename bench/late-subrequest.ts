/**
 * `npm run repro:late-subrequest` — issue 15 gap 4: does a worker survive a subrequest that is still
 * running when its request is answered? Each scenario runs alone against a fresh nginx (2 workers)
 * with a recording fake on loopback, many requests in parallel, and counts the worker crashes
 * (`exited on signal`, assertion lines) in the error log.
 *
 *   timeout-late  ecmwf-api; the generated location's upstream timeouts raised above
 *                 auth.timeout_in_ms by hand, the service answering 100 ms after the provider's
 *                 timer fired: the handler answers 401, then the subrequest ends.
 *   winner-early  jwt and ecmwf-api both try every Bearer token: the jwt provider accepts it at
 *                 once, the who-am-i call answers 150 ms later (after the 200 went out).
 *   jwks-hang     a jwt provider whose JWK Set endpoint answers after auth.timeout_in_ms.
 *
 *   npm run repro:late-subrequest -- [--legs sid-qjs,sid] [--scenarios timeout-late,…] [--requests 400]
 */
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generateKeyPair, exportJWK, SignJWT } from 'jose'
import { REPO_ROOT } from '../test/nginx-harness/paths'
import { startNginx, type NginxServer } from '../test/nginx-harness/nginx'
import { legByName, LOCAL_LEG_NAMES } from '../test/nginx-harness/runtimes'
import { startFakeRemote } from '../test/support/fake-remote'
import { compileWithSnippets } from './lib/remote-bench'

const args = process.argv.slice(2)
const option = (name: string, fallback: string) => {
  const at = args.indexOf(`--${name}`)
  return at >= 0 && args[at + 1] !== undefined ? args[at + 1] : fallback
}
const LEGS = option('legs', LOCAL_LEG_NAMES.join(',')).split(',')
const SCENARIOS = option('scenarios', 'timeout-late,winner-early,jwks-hang').split(',')
const REQUESTS = Number(option('requests', '400'))
const PARALLEL = Number(option('parallel', '32'))
const TIMEOUT_MS = 300
/** What a worker crash leaves in the error log. */
export const CRASH = /exited on signal|exited with code|Assertion|assertion|core dumped/

const log = (line: string) => process.stderr.write(`${line}\n`)

async function main() {
  const { publicKey, privateKey } = await generateKeyPair('RS256')
  const jwk = { ...(await exportJWK(publicKey)), kid: 'k1' }
  const jwks = JSON.stringify({ keys: [jwk] })
  const token = await new SignJWT({ sub: 'ann', preferred_username: 'ann' })
    .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
    .setIssuedAt()
    .setExpirationTime('2h')
    .sign(privateKey)
  let n = 0
  const remote = await startFakeRemote({
    '/v1/who-am-i': (request) => {
      const t = request.query.get('token') ?? ''
      if (t.startsWith('late-')) return { status: 200, delayMs: TIMEOUT_MS + 100, body: { uid: 'late' } }
      return { status: 200, delayMs: 150, body: { uid: 'other' } }
    },
    '/certs': () => ({ status: 200, body: jwks, headers: { 'Content-Type': 'application/json' } }),
    '/slow-certs': () => ({ status: 200, delayMs: TIMEOUT_MS + 100, body: jwks }),
  })
  const lines: string[] = []
  try {
    for (const name of LEGS) {
      const leg = legByName(name)
      for (const scenario of SCENARIOS) {
        const work = mkdtempSync(join(tmpdir(), `aot-late-${name}-`))
        const certs = remote.url(scenario === 'jwks-hang' ? '/slow-certs' : '/certs')
        const config = compileWithSnippets(work, yaml(remote.url('/v1'), certs, scenario))
        if (scenario === 'timeout-late') {
          const file = join(work, 'authotron-remote-locations.conf')
          writeFileSync(file, readFileSync(file, 'utf8').replace(/_timeout \d+ms;/g, '_timeout 5000ms;'))
        }
        const nginx = await startNginx({
          leg,
          label: `late-${name}`,
          configFile: config,
          workers: 2,
          errorLogLevel: (process.env.AOT_LOG_LEVEL as any) ?? 'notice',
          conf: ({ port, paths }) => `
            ${leg.features.sharedDict ? `include ${REPO_ROOT}/nginx/authotron-cache.conf;` : ''}
            include ${work}/authotron-jwks-http.conf;
            include ${work}/authotron-remote-http.conf;
            server {
              listen 127.0.0.1:${port} reuseport;
              access_log off;
              include ${paths.repo}/nginx/authotron-endpoints.conf;
              include ${work}/authotron-jwks-locations.conf;
              include ${work}/authotron-remote-locations.conf;
            }`,
        })
        try {
          const result = await run(nginx, scenario, () => (scenario === 'timeout-late' ? `late-${n++}-${Date.now()}` : token))
          const line = `| ${name} | ${scenario} | ${result}`
          log(line)
          lines.push(line)
        } finally {
          await nginx.stop()
          rmSync(work, { recursive: true, force: true })
        }
      }
    }
  } finally {
    await remote.stop()
  }
  process.stdout.write(`${lines.join('\n')}\n`)
}

function yaml(apiUrl: string, certsUrl: string, scenario: string): string {
  const providers =
    scenario === 'timeout-late'
      ? [`  - { name: ecmwf, type: ecmwf-api, realm: ecmwf, uri: "${apiUrl}", cache_ttl: 0, invalid_cache_ttl: 0 }`]
      : scenario === 'winner-early'
        ? [
            `  - { name: idp, type: jwt, realm: idprealm, cert_uri: "${certsUrl}", iam_realm: bench }`,
            `  - { name: ecmwf, type: ecmwf-api, realm: ecmwf, uri: "${apiUrl}", cache_ttl: 0, invalid_cache_ttl: 0 }`,
          ]
        : [`  - { name: idp, type: jwt, realm: idprealm, cert_uri: "${certsUrl}", iam_realm: bench, jwks_ttl: 1 }`]
  return [
    'version: 2.0.0',
    'logging: { level: warn, format: console }',
    `auth: { timeout_in_ms: ${scenario === 'winner-early' ? 3000 : TIMEOUT_MS}, grant_cache_ttl_in_ms: 0 }`,
    'providers:',
    ...providers,
    'store: { enabled: false }',
    'services: []',
    'jwt: { exp: 3600, iss: authotron-bench, secret: bench-secret-0123456789abcdef-0123456789abcdef }',
    'server: { port: 8080 }',
    '',
  ].join('\n')
}

async function run(nginx: NginxServer, scenario: string, credential: () => string): Promise<string> {
  const statuses = new Map<string, number>()
  let slowest = 0
  let next = 0
  const one = async () => {
    while (next < REQUESTS) {
      next++
      const started = Date.now()
      const status = await fetch(nginx.url('/authenticate'), {
        headers: { Authorization: `Bearer ${credential()}`, Connection: 'close' },
      }).then(
        async (response) => {
          await response.arrayBuffer()
          return String(response.status)
        },
        () => 'failed',
      )
      slowest = Math.max(slowest, Date.now() - started)
      statuses.set(status, (statuses.get(status) ?? 0) + 1)
    }
  }
  await Promise.all(Array.from({ length: PARALLEL }, one))
  await new Promise((resolve) => setTimeout(resolve, 500)) // the late answers arrive
  const crashes = nginx
    .errorLog()
    .split('\n')
    .filter((line) => CRASH.test(line))
  const counts = [...statuses].map(([status, count]) => `${status}×${count}`).join(' ')
  return `${REQUESTS} requests: ${counts} | slowest ${slowest} ms | ${crashes.length} crash lines |${crashes.length > 0 ? ' ' + crashes.slice(0, 2).join(' / ') : ''}`
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`)
  process.exit(1)
})
