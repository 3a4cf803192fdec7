/**
 * Issue 15 gap 4, on every runtime leg with two workers: a subrequest still running when its
 * request is answered must not kill the worker. The generated who-am-i location's upstream
 * timeouts are raised above auth.timeout_in_ms here (by default nginx gives up first), so the
 * provider's own timer fires while the call is pending and the service answers 150 ms after the
 * 401 went out. Before the fix (src/njs/platform.ts, njsTimers) every such request crashed a
 * QuickJS worker (SIGSEGV in JS_FreeValueRT: the timer cleared from its own callback was freed
 * twice). `npm run repro:late-subrequest` runs the same with hundreds of requests.
 */
import test from 'ava'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { selectedLegs } from '../nginx-harness/runtimes'
import type { NginxServer } from '../nginx-harness/nginx'
import { withNginxOnEveryLeg } from '../support/suite'
import { startFakeRemote, type FakeRemote } from '../support/fake-remote'
import { compileWithSnippets } from '../../bench/lib/remote-bench'

const TIMEOUT_MS = 400
/** What a worker crash leaves in the error log. */
const CRASH = /exited on signal|exited with code|[Aa]ssertion|core dumped/

const legs = selectedLegs()
let remote: FakeRemote

test.serial.before(async () => {
  remote = await startFakeRemote({
    // Late: after the provider's timer. Early: well within it (the other provider wins first).
    '/v1/who-am-i': (request) =>
      (request.query.get('token') ?? '').startsWith('late-')
        ? { status: 200, delayMs: TIMEOUT_MS + 150, body: { uid: 'late' } }
        : { status: 200, delayMs: 150, body: { uid: 'other' } },
    '/fast/who-am-i': () => ({ status: 200, body: { uid: 'fast' } }),
  })
})

test.after.always(async () => {
  await remote?.stop()
})

const suite = withNginxOnEveryLeg(test, {
  label: 'late-subrequest',
  legs,
  workers: 2,
  conf: ({ port, paths }) => {
    const yaml = [
      'version: 2.0.0',
      'logging: { level: debug, format: console }',
      'store: { enabled: false }',
      'services: []',
      'server: { port: 8080 }',
      'jwt: { exp: 3600, iss: authotron-test, secret: late-subrequest-secret-0123456789 }',
      `auth: { timeout_in_ms: ${TIMEOUT_MS}, grant_cache_ttl_in_ms: 0 }`,
      'providers:',
      '  - { type: plain, name: local, realm: basicrealm, users: [{ username: bob, password: secret }] }',
      `  - { type: ecmwf-api, name: api, realm: ecmwf, uri: "${remote.url('/v1')}", cache_ttl: 0, invalid_cache_ttl: 0 }`,
      `  - { type: ecmwf-api, name: fast, realm: fast, uri: "${remote.url('/fast')}", cache_ttl: 0 }`,
      '',
    ].join('\n')
    const config = compileWithSnippets(paths.prefix, yaml)
    const locations = join(paths.prefix, 'authotron-remote-locations.conf')
    writeFileSync(locations, readFileSync(locations, 'utf8').replace(/_timeout \d+ms;/g, '_timeout 5000ms;'))
    return `
      js_import authotron from ${paths.module};
      js_preload_object authotron_cfg from ${config};
      js_var $authotron_config_file ${config};
      include ${paths.prefix}/authotron-remote-http.conf;
      server {
        listen 127.0.0.1:${port} reuseport;
        include ${paths.repo}/nginx/authotron-endpoints.conf;
        include ${paths.prefix}/authotron-remote-locations.conf;
      }`
  },
})

async function timed(nginx: NginxServer, authorization: string, realm?: string): Promise<{ status: number | string; ms: number }> {
  const headers: { [name: string]: string } = { Authorization: authorization, Connection: 'close' }
  if (realm !== undefined) headers['X-Auth-Realm'] = realm
  const started = performance.now()
  const status = await fetch(nginx.url('/authenticate'), { headers }).then(
    async (response) => {
      await response.arrayBuffer()
      return response.status
    },
    () => 'connection closed',
  )
  return { status, ms: performance.now() - started }
}

suite.serial('a provider timeout with its call still pending: 401 within the timeout + 50 ms, no worker dies', async (t, nginx) => {
  const offset = nginx.errorLogSize()
  const answers: { status: number | string; ms: number }[] = []
  // One at a time (the timing is the client's), each next one while the last one's call is pending.
  for (let i = 0; i < 10; i++) answers.push(await timed(nginx, `Bearer late-${i}-${Date.now()}`, 'ecmwf'))
  await new Promise((resolve) => setTimeout(resolve, 300)) // the late answers arrive
  t.deepEqual(new Set(answers.map((a) => a.status)), new Set([401]))
  const slowest = Math.max(...answers.map((a) => a.ms))
  t.log(`${nginx.leg.name}: 10 answers, median ${answers.map((a) => a.ms).sort((a, b) => a - b)[answers.length >> 1].toFixed(0)} ms, slowest ${slowest.toFixed(0)} ms (timeout ${TIMEOUT_MS} ms)`)
  // The median within timeout + 50 ms; single answers on a loaded machine (load average 20 on 2
  // cores: 671 ms seen) get 400 ms more.
  const median = answers.map((a) => a.ms).sort((a, b) => a - b)[answers.length >> 1]
  t.true(median <= TIMEOUT_MS + 50, `median ${median.toFixed(0)} ms`)
  t.true(slowest <= TIMEOUT_MS + 400, `slowest ${slowest.toFixed(0)} ms`)
  const log = nginx.errorLogSince(offset)
  t.deepEqual(log.split('\n').filter((line) => CRASH.test(line)), [])
  // The workers still serve.
  t.is((await timed(nginx, 'Basic Ym9iOnNlY3JldA==')).status, 200)
})

suite.serial('answered by one provider while another one\'s call is pending: no worker dies', async (t, nginx) => {
  const offset = nginx.errorLogSize()
  // Without X-Auth-Realm both who-am-i calls start: the fast one wins at once, the other answers
  // 150 ms after the 200 went out.
  const answers = await Promise.all(Array.from({ length: 8 }, (_, i) => timed(nginx, `Bearer early-${i}-${Date.now()}`)))
  await new Promise((resolve) => setTimeout(resolve, 300))
  t.deepEqual(new Set(answers.map((a) => a.status)), new Set([200]))
  t.log(`${nginx.leg.name}: slowest ${Math.max(...answers.map((a) => a.ms)).toFixed(0)} ms (the pending call answers after 150 ms)`)
  t.deepEqual(nginx.errorLogSince(offset).split('\n').filter((line) => CRASH.test(line)), [])
})
