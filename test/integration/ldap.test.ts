/**
 * LDAP roles through nginx (issue 16), on every runtime leg: a real slapd (test/support/slapd.ts),
 * `node dist/cli.mjs ldap-sync --once` writing the compiled config the leg's nginx loads, then a
 * reload. The request path never talks to the directory: with slapd stopped, roles stay.
 */
import test from 'ava'
import { spawn } from 'node:child_process'
import { chmodSync, chownSync, mkdtempSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { jwtVerify } from 'jose'
import { AUTHOTRON_CLI } from '../nginx-harness/paths'
import type { NginxServer } from '../nginx-harness/nginx'
import { ADMIN_DN, ADMIN_PASSWORD, BASE_DN, Person, Slapd, slapdAvailable, startSlapd } from '../support/slapd'
import { withNginxOnEveryLeg } from '../support/suite'
import { basicHeader, rawRequest } from './http-client'

const SECRET = 'ldap-secret-key-of-at-least-32-bytes!'
const TEAMS = `OU=Teams,${BASE_DN}`
const alice: Person = { cn: 'alice', memberOf: [`CN=admins,OU=Ops,${TEAMS}`, `CN=readers,${TEAMS}`, `CN=other,OU=Elsewhere,${BASE_DN}`] }
const bob: Person = { cn: 'bob', memberOf: [`CN=readers,${TEAMS}`] }
const weird: Person = { cn: 'x*(y)\\z', memberOf: [`CN=weird,${TEAMS}`] }
const PEOPLE = [alice, bob, weird]

// The socket path is fixed before the suite compiles its YAML: the config names the directory.
const dir = mkdtempSync(join(tmpdir(), 'aot-ldap-it-'))
const SOCKET = join(dir, 'ldapi.sock')
const URI = `ldapi://${encodeURIComponent(SOCKET)}`
const YAML = `
version: 2.0.0
logging: {level: info, format: console}
store: {enabled: false}
services: []
server: {port: 8080}
jwt: {exp: 3600, iss: authotron-test, secret: "${SECRET}"}
providers:
  - type: plain
    name: paths
    realm: paths
    users: [{username: alice, password: p1}, {username: bob, password_hash: "{SHA}t49XZhHsBvlq88plTCIXKl10bEA="}, {username: "*", password: p1}, {username: 'x*(y)\\z', password: p1}]
  - {type: plain, name: cns, realm: cns, users: [{username: alice, password: p2, roles: [admins]}]}
augmenters:
  - {type: ldap, name: teams, realm: paths, uri: "${URI}", search_base: "${BASE_DN}", bind_dn: "${ADMIN_DN}", ldap_password: "${ADMIN_PASSWORD}", filters: ["OU=Teams", "OU=Ops", "OU=Teams,OU=Ops"]}
  - {type: ldap, name: ops, realm: cns, uri: "${URI}", search_base: "${BASE_DN}", bind_dn: "${ADMIN_DN}", ldap_password: "${ADMIN_PASSWORD}", filter: "OU=Ops"}
`
const yamlPath = join(dir, 'config.yaml')
writeFileSync(yamlPath, YAML)

let slapd: Slapd
test.serial.before(async () => { // serial: the nginx suites' hooks start after it
  const missing = slapdAvailable()
  if (missing !== undefined) throw new Error(missing)
  slapd = await startSlapd(PEOPLE, ['ou=Teams', 'ou=Ops,ou=Teams', 'ou=Elsewhere'], { ldapiSocket: SOCKET })
})
test.after.always(async () => slapd?.dispose())

const suite = withNginxOnEveryLeg(test, {
  config: YAML,
  conf: ({ port, paths }) => `
  server {
    listen 127.0.0.1:${port};
    include ${paths.repo}/nginx/authotron-endpoints.conf;
  }`,
})

function run(args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [AUTHOTRON_CLI, ...args], { env: { PATH: process.env.PATH ?? '' } })
    let output = ''
    child.stdout.on('data', (c) => (output += c))
    child.stderr.on('data', (c) => (output += c))
    child.on('exit', (code) => resolve({ code, output }))
  })
}

/** The sync as an operator runs it; nginx is reloaded by the harness (it knows the leg's binary). */
async function syncAndReload(nginx: NginxServer): Promise<{ code: number | null; output: string }> {
  const result = await run(['ldap-sync', yamlPath, '--once', '--timeout', '2', '-o', nginx.paths.config!, '--reload-command', ''])
  await nginx.reload()
  return result
}

async function rolesOf(nginx: NginxServer, username: string, password: string): Promise<string[]> {
  const response = await rawRequest(nginx.port, '/authenticate', [basicHeader(username, password)])
  if (response.status !== 200) throw new Error(`${username}: ${response.status}`)
  const { payload } = await jwtVerify(response.headers['authorization'][0].slice(7), new TextEncoder().encode(SECRET))
  return payload.roles as string[]
}

suite.serial('LDAP roles from a snapshot: filters, filter paths, changes, outages, metacharacters', async (t, nginx) => {
  await slapd.setGroups(bob, bob.memberOf)
  // Without a snapshot (plain compile): the request succeeds without LDAP roles, and the log says why.
  const access = statSync(nginx.paths.config!)
  const compiled = await run(['compile', yamlPath, '-o', nginx.paths.config!])
  t.is(compiled.code, 0, compiled.output)
  // compile writes 0600 as its own; give the workers back their read access (ldap-sync keeps it).
  chownSync(nginx.paths.config!, access.uid, access.gid)
  chmodSync(nginx.paths.config!, access.mode & 0o777)
  await nginx.reload()
  const offset = nginx.errorLogSize()
  t.deepEqual(await rolesOf(nginx, 'alice', 'p1'), [])
  t.regex(nginx.errorLogSince(offset), /ERR_LDAP_NO_SNAPSHOT/)
  const augmenters = (await (await fetch(nginx.url('/augmenters'))).json()) as { augmenters: { snapshot_taken_at?: unknown }[] }
  t.is(augmenters.augmenters[0].snapshot_taken_at, null)
  const healthWithout = await fetch(nginx.url('/health'))
  t.is(await healthWithout.text(), 'OK')
  t.is(healthWithout.headers.get('x-authotron-ldap-snapshot'), 'teams; none, ops; none')

  const first = await syncAndReload(nginx)
  t.is(first.code, 0, first.output)
  t.deepEqual(await rolesOf(nginx, 'alice', 'p1'), ['/Teams/Ops/admins', '/Ops/admins', '/Teams/readers'])
  // bob's password is hashed, so his requests take the full pipeline (the runtime lookup), not a
  // precomputed Basic grant as alice's do.
  t.deepEqual(await rolesOf(nginx, 'bob', 'p1'), ['/Teams/readers'])
  // `filter` (one string): the cn of the groups whose DN contains it, each role once.
  t.deepEqual(await rolesOf(nginx, 'alice', 'p2'), ['admins'])
  // Names are looked up, never searched: `*` is nobody, and the name with metacharacters is itself.
  t.deepEqual(await rolesOf(nginx, '*', 'p1'), [])
  t.deepEqual(await rolesOf(nginx, 'x*(y)\\z', 'p1'), ['/Teams/weird'])
  const listed = (await (await fetch(nginx.url('/augmenters'))).json()) as { augmenters: { snapshot_taken_at?: string }[] }
  t.regex(listed.augmenters[0].snapshot_taken_at ?? '', /^\d{4}-\d\d-\d\dT/)
  // /health keeps the reference's body and tells a monitor how old the snapshot is.
  const health = await fetch(nginx.url('/health'))
  t.is(await health.text(), 'OK')
  const stamped = /(teams|ops); taken_at=(\d{4}-\d\d-\d\dT[^;]+); age=(\d+)/.source
  t.regex(health.headers.get('x-authotron-ldap-snapshot') ?? '', new RegExp(`^${stamped}, ${stamped}$`))

  // A group change is picked up by the next sync and reload.
  await slapd.setGroups(bob, [`CN=writers,OU=Ops,${TEAMS}`])
  t.is((await syncAndReload(nginx)).code, 0)
  t.deepEqual(await rolesOf(nginx, 'bob', 'p1'), ['/Teams/Ops/writers', '/Ops/writers'])

  // Directory stopped: the sync fails, nothing is rewritten, the roles stay.
  await slapd.stop()
  try {
    const down = await syncAndReload(nginx)
    t.is(down.code, 1)
    t.regex(down.output, /keeping the snapshot of /)
    t.false(down.output.includes(ADMIN_PASSWORD))
    t.deepEqual(await rolesOf(nginx, 'bob', 'p1'), ['/Teams/Ops/writers', '/Ops/writers'])
    t.deepEqual(await rolesOf(nginx, 'alice', 'p1'), ['/Teams/Ops/admins', '/Ops/admins', '/Teams/readers'])
  } finally {
    await slapd.start()
    await slapd.setGroups(bob, bob.memberOf)
  }
})
