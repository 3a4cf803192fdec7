/**
 * The demo proper (nginx/demo/start.mjs installs and builds first): compiles nginx/demo/config.yaml
 * with the real compiler, starts httpbin and nginx with nginx/nginx.conf, checks the two curl
 * flows of the seed example, prints them, and runs until Ctrl-C.
 */
import { readFileSync } from 'node:fs'
import { instantiateExampleConf } from '../../test/nginx-harness/example-conf'
import { startHttpbin, type HttpbinServer } from '../../test/nginx-harness/httpbin'
import { isListening } from '../../test/nginx-harness/net'
import { describeVersions, probeVersions, startNginx, type NginxServer } from '../../test/nginx-harness/nginx'
import { legByName } from '../../test/nginx-harness/runtimes'

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
      instantiateExampleConf({
        leg,
        configPath: paths.config!,
        listen: `127.0.0.1:${port}`,
        backend: httpbin!.address,
      }),
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
`)
  await selfCheck(nginx)
  console.log('Ctrl-C stops nginx and httpbin.')
} catch (error) {
  console.error(`npm start: ${(error as Error).message}`)
  await nginx?.stop()
  await httpbin?.stop()
  process.exit(1)
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
  console.log('')
}

function report(ok: boolean, what: string) {
  console.log(`  ${ok ? 'ok  ' : 'FAIL'} ${what}`)
}

function fail(message: string): never {
  console.error(`npm start: ${message}`)
  process.exit(1)
}
