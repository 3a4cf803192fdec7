/**
 * Issue 15's security and oversize gaps, on every leg, against real nginx (docs/remote.md, "Two
 * hops"): whatever way the service fails — connection refused, timeout, 500, reset, answers from
 * 64 KiB + 1 to 10 MiB with and without Content-Length — no line of nginx's error log (level info)
 * or access log (subrequests logged too) holds the credential, raw or percent-encoded; the module
 * logs its own reason instead; the client always gets a 401 (never a dropped connection) and the
 * workers live on. A recording fake of who-am-i on loopback (test/support/fake-remote.ts).
 */
import test from 'ava'
import { existsSync, readFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { join } from 'node:path'
import type { NginxServer } from '../nginx-harness/nginx'
import { selectedLegs, type LegName } from '../nginx-harness/runtimes'
import { withNginxOnEveryLeg } from '../support/suite'
import { startFakeRemote, type FakeRemote, type Reply } from '../support/fake-remote'
import { compileWithSnippets } from '../support/compile-with-snippets'

const TIMEOUT_MS = 1500
const KIB = 1024

/** The fake's answer for a token `<kind>~…`. */
function reply(token: string): Reply {
  const kind = token.split('~')[0]
  if (kind === 'ok') return { status: 200, body: { uid: 'adam' } }
  if (kind === 'status500') return { status: 500, body: { message: `internal error for ${token}` } }
  if (kind === 'reset') return { reset: true }
  if (kind === 'hang') return { hang: true }
  const size = /^big(\d+)(cl)?$/.exec(kind)
  if (size !== null) return { status: 200, bytes: Number(size[1]), contentLength: size[2] === 'cl' }
  return { status: 403, body: {} }
}

interface LegFixture {
  remote: FakeRemote
  /** A loopback port nothing listens on. */
  closedPort: number
}

const legs = selectedLegs()
const fixtures = new Map<LegName, LegFixture>()

async function closedPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as { port: number }).port
  await new Promise((resolve) => server.close(resolve))
  return port
}

test.serial.before(async () => {
  for (const leg of legs) {
    fixtures.set(leg.name, {
      remote: await startFakeRemote({ '/v1/who-am-i': (request) => reply(request.query.get('token') ?? '') }),
      closedPort: await closedPort(),
    })
  }
})

test.after.always(async () => {
  for (const fixture of fixtures.values()) await fixture.remote.stop()
})

function configYaml({ remote, closedPort }: LegFixture): string {
  return [
    'version: 2.0.0',
    'logging: { level: info, format: console }',
    'store: { enabled: false }',
    'services: []',
    'server: { port: 8080 }',
    'jwt: { exp: 3600, iss: authotron-test, secret: remote-hop-secret-0123456789 }',
    `auth: { timeout_in_ms: ${TIMEOUT_MS}, grant_cache_ttl_in_ms: 0 }`,
    'providers:',
    `  - { type: ecmwf-api, name: ECMWF API, realm: ecmwf, uri: "${remote.url('/v1')}" }`,
    `  - { type: ecmwf-api, name: Dead API, realm: dead, uri: "http://127.0.0.1:${closedPort}/v1" }`,
    '',
  ].join('\n')
}


const suite = withNginxOnEveryLeg(test, {
  label: 'remote-hop',
  legs,
  workers: 2,
  conf: ({ leg, port, paths }) => {
    const config = compileWithSnippets(configYaml(fixtures.get(leg.name)!), paths.prefix, { name: 'remote-config' })
    return `
      js_import authotron from ${paths.module};
      js_preload_object authotron_cfg from ${config};
      js_var $authotron_config_file ${config};
      include ${paths.prefix}/authotron-remote-http.conf;
      # The combined format, and what a subrequest adds: its URI, args, upstream.
      log_format aot_everything '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent '
                                '"$http_referer" "$http_user_agent" "$uri" "$args" "$upstream_addr" "$upstream_status"';
      server {
        listen 127.0.0.1:${port};
        access_log ${paths.prefix}/access.log aot_everything;
        log_subrequest on;
        include ${paths.repo}/nginx/authotron-endpoints.conf;
        include ${paths.prefix}/authotron-remote-locations.conf;
      }`
  },
})

/** A recognisable token: its unique part is what no log line may hold, in any encoding. */
function tokenFor(kind: string): { token: string; unique: string } {
  const unique = `SECRET${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`
  return { token: `${kind}~${unique}&+/=`, unique }
}

function bearer(nginx: NginxServer, token: string, realm: string) {
  return fetch(nginx.url('/authenticate'), {
    headers: { Authorization: `Bearer ${token}`, 'X-Auth-Realm': realm, Connection: 'close' },
  }).then(
    (response) => response.status,
    () => 'connection closed' as const,
  )
}

function accessLog(nginx: NginxServer): string {
  const path = join(nginx.paths.prefix, 'access.log')
  return existsSync(path) ? readFileSync(path, 'latin1') : ''
}

const FAILURES: [string, string, RegExp][] = [
  ['refused', 'dead', /remote\.call\.failed provider="Dead API" url="http:\/\/127\.0\.0\.1:\d+\/v1\/who-am-i" status=502 reason="the service could not be reached/],
  ['hang', 'ecmwf', /remote\.call\.failed provider="ECMWF API" url="[^"]+\/v1\/who-am-i" status=504 reason="the service did not answer in time"/],
  ['status500', 'ecmwf', /remote\.call\.failed provider="ECMWF API" url="[^"]+" status=500 reason="the service answered 500"/],
  ['reset', 'ecmwf', /remote\.call\.failed provider="ECMWF API" url="[^"]+" status=502 reason="the service could not be reached/],
]

for (const [kind, realm, reason] of FAILURES) {
  suite.serial(`${kind}: 401, the module's reason at warn, and the token in no error or access log line`, async (t, nginx) => {
    const { token, unique } = tokenFor(kind === 'refused' ? 'ok' : kind)
    const offset = nginx.errorLogSize()
    t.is(await bearer(nginx, token, realm), 401)
    const errors = nginx.errorLogSince(offset)
    t.regex(errors, reason)
    // nginx's own lines about the call (which name the service URL, query included) are the relay
    // server's, whose error log is off: none reaches this log.
    t.notRegex(errors, /upstream: "http:\/\/127\.0\.0\.1/)
    const everything = nginx.errorLog() + accessLog(nginx)
    for (const form of [token, encodeURIComponent(token), unique]) t.false(everything.includes(form), form)
    // nginx writes the access log after the answer: wait for the line.
    for (let i = 0; i < 50 && !accessLog(nginx).includes('/_authotron/remote/'); i++) {
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
    t.true(accessLog(nginx).includes('/_authotron/remote/'), 'subrequests are access-logged, without the token')
    for (const form of [token, encodeURIComponent(token), unique]) t.false(accessLog(nginx).includes(form), form)
  })
}

const SIZES = [64 * KIB + 1, 1024 * KIB, 10 * 1024 * KIB]
for (const bytes of SIZES) {
  for (const contentLength of [true, false]) {
    suite.serial(`an answer of ${bytes} bytes ${contentLength ? 'with Content-Length' : 'chunked'} → 401, workers alive`, async (t, nginx) => {
      const { token, unique } = tokenFor(`big${bytes}${contentLength ? 'cl' : ''}`)
      const offset = nginx.errorLogSize()
      t.is(await bearer(nginx, token, 'ecmwf'), 401)
      const errors = nginx.errorLogSince(offset)
      t.regex(errors, /remote\.call\.failed provider="ECMWF API" url="[^"]+" status=502 reason="the relay closed the connection/)
      t.notRegex(errors, /exited on signal|\[alert\]/)
      t.false((nginx.errorLog() + accessLog(nginx)).includes(unique))
      t.is(await bearer(nginx, tokenFor('ok').token, 'ecmwf'), 200, 'the workers keep serving')
    })
  }
}

suite.serial('an answer of exactly 64 KiB is read (and refused as not JSON: no failed call)', async (t, nginx) => {
  const offset = nginx.errorLogSize()
  t.is(await bearer(nginx, tokenFor(`big${64 * KIB}cl`).token, 'ecmwf'), 401)
  t.notRegex(nginx.errorLogSince(offset), /remote\.call\.failed/)
})
