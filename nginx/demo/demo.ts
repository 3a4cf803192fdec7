/**
 * The demo proper (nginx/demo/start.mjs installs and builds first): compiles nginx/demo/config.yaml
 * with the real compiler, starts httpbin and nginx with nginx/nginx.conf, checks the two curl
 * flows of the seed example, prints them, and runs until Ctrl-C.
 */
import { chmodSync, mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { instantiateExampleConf } from '../../test/nginx-harness/example-conf'
import { startHttpbin, type HttpbinServer } from '../../test/nginx-harness/httpbin'
import { isListening } from '../../test/nginx-harness/net'
import { describeVersions, probeVersions, startNginx, type NginxServer } from '../../test/nginx-harness/nginx'
import { legByName, versionAtLeast, type RuntimeLeg } from '../../test/nginx-harness/runtimes'

const TEST_USER_BASIC = 'Basic dGVzdF91c2VyOnNlY3JldDEyMw==' // test_user:secret123
const DEFAULT_PORT = 8080

const leg = legByName(process.env.AOT_LEG ?? 'bookworm')
const port = Number(process.env.PORT ?? DEFAULT_PORT)
if (!Number.isInteger(port) || port <= 0 || port > 65535) fail(`PORT=${process.env.PORT} is not a port`)
if (await isListening(port)) {
  fail(`port ${port} is already in use on localhost: stop what listens there, or choose another: PORT=9000 npm start`)
}

let httpbin: HttpbinServer | undefined
let nginx: NginxServer | undefined
let stopping = false

async function stopAll(signal: string) {
  if (stopping) return
  stopping = true
  console.log(`\n${signal}: stopping nginx and httpbin`)
  await nginx?.stop()
  await httpbin?.stop()
  process.exit(0)
}
process.on('SIGINT', () => void stopAll('SIGINT'))
process.on('SIGTERM', () => void stopAll('SIGTERM'))

try {
  const versions = await probeVersions(leg)
  httpbin = await startHttpbin()
  nginx = await startNginx({
    leg,
    label: 'demo',
    port,
    errorLogLevel: 'notice', // as nginx/nginx.conf: nginx's info lines can carry a credential
    complete: true,
    config: readFileSync(new URL('config.yaml', import.meta.url), 'utf8'),
    conf: ({ paths }) =>
      withTokenStore(
        leg,
        instantiateExampleConf({
          leg,
          configPath: paths.config!,
          listen: `127.0.0.1:${port}`,
          backend: httpbin!.address,
        }),
      ),
  })
  const base = `http://localhost:${port}`
  console.log(`
authotron-njs demo: nginx/nginx.conf on ${base}
  ${describeVersions(leg, versions)}
  backend: httpbin on ${httpbin.address}
  config:  nginx/demo/config.yaml, compiled to ${nginx.paths.config}
  log:     ${nginx.paths.errorLog}

Try:
  curl -i ${base}/api/get
      → 302 Found, Location: /authenticate?redirect=/api/get
  curl -i ${base}/api/get -H "Authorization: Basic dGVzdF91c2VyOnNlY3JldDEyMw=="
      → 200; httpbin echoes Authorization: Bearer <jwt>, X-Auth-Username and X-Auth-Realm
        (X-Auth-Roles only for users with roles: nginx forwards no empty header)
  Also: ${base}/authenticate, /whoami, /providers, /augmenters, /health, / (landing page)
  Token store (${tokenStoreNote(leg)}):
  curl -s ${base}/token -u test_user:secret123            → {"token":"<token>"}
  curl -i ${base}/api/get -H "Authorization: Bearer <token>"
  curl -s ${base}/tokens -u test_user:secret123           → the ids of your tokens
  curl -i -X DELETE ${base}/token/<token> -u test_user:secret123
`)
  await selfCheck(nginx)
  console.log('Ctrl-C stops nginx and httpbin.')
} catch (error) {
  console.error(`npm start: ${(error as Error).message}`)
  await nginx?.stop()
  await httpbin?.stop()
  process.exit(1)
}

/**
 * The demo config's embedded token store needs the zone `authotron_tokens` (README, "Token
 * store"): nginx/nginx.conf has the include commented out, as it depends on the njs version. On
 * njs ≥ 0.9.1 the state file goes to a folder of its own that the workers may write.
 */
function withTokenStore(target: RuntimeLeg, text: string): string {
  if (!target.features.sharedDict) return text
  let zone = 'js_shared_dict_zone zone=authotron_tokens:4m type=string timeout=30d'
  if (versionAtLeast(target.expected.njs, '0.9.1')) {
    const dir = mkdtempSync(join(tmpdir(), 'aot-demo-tokens-'))
    chmodSync(dir, 0o777)
    zone += ` state=${join(dir, 'authotron-tokens.json')}`
  }
  return text.replace(/^(\s*)(# include \S+\/nginx\/authotron-tokens\.conf;)$/m, `$1$2\n$1${zone};  # added by the demo`)
}

function tokenStoreNote(target: RuntimeLeg): string {
  if (!target.features.sharedDict) return 'njs 0.7.9 has no shared dict: these answer 503; try AOT_LEG=sid npm start'
  return versionAtLeast(target.expected.njs, '0.9.1') ? 'embedded, saved to a state file' : 'embedded, kept until nginx stops'
}

/** Runs the two flows once, so the demo says whether it works before anyone types a command. */
async function selfCheck(server: NginxServer) {
  const anonymous = await fetch(server.url('/api/get'), { redirect: 'manual' })
  const location = anonymous.headers.get('location')
  report(
    anonymous.status === 302 && location === '/authenticate?redirect=/api/get',
    `GET /api/get → ${anonymous.status}, Location: ${location}`,
  )
  const authenticated = await fetch(server.url('/api/get'), { headers: { Authorization: TEST_USER_BASIC } })
  const echoed = authenticated.status === 200 ? ((await authenticated.json()) as { headers: Record<string, string> }).headers : {}
  const forwarded = Object.keys(echoed).filter((name) => /^(Authorization|X-Auth-)/i.test(name))
  report(
    authenticated.status === 200 && /^Bearer [\w-]+\.[\w-]+\.[\w-]+$/.test(echoed.Authorization ?? ''),
    `GET /api/get with test_user's Basic credentials → ${authenticated.status}, backend got ${forwarded.join(', ') || 'nothing'}`,
  )
  const created = await fetch(server.url('/token'), { headers: { Authorization: TEST_USER_BASIC } })
  if (leg.features.sharedDict) {
    const token = created.status === 200 ? ((await created.json()) as { token: string }).token : ''
    const used = await fetch(server.url('/api/get'), { headers: { Authorization: `Bearer ${token}` } })
    report(created.status === 200 && used.status === 200, `GET /token → ${created.status}; GET /api/get with that token → ${used.status}`)
  } else {
    report(created.status === 503, `GET /token → ${created.status} (njs 0.7.9: no embedded store) ${await created.text()}`)
  }
  console.log('')
}

function report(ok: boolean, what: string) {
  console.log(`  ${ok ? 'ok  ' : 'FAIL'} ${what}`)
}

function fail(message: string): never {
  console.error(`npm start: ${message}`)
  process.exit(1)
}
