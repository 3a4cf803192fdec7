/**
 * `authotron ldap-sync` against a real slapd (test/support/slapd.ts): the snapshot it compiles,
 * writes only on change, the reload command, outages, ldapi, and names with LDAP metacharacters.
 */
import test from 'ava'
import { spawn } from 'node:child_process'
import { chmodSync, existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { createServer, type AddressInfo } from 'node:net'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { CompiledConfig, CompiledLdapAugmenter } from '../../../src/config/compiled'
import { ADMIN_DN, ADMIN_PASSWORD, BASE_DN, Person, Slapd, slapdAvailable, startSlapd } from '../../support/slapd'

const CLI = fileURLToPath(new URL('../../../dist/cli.mjs', import.meta.url))
const TEAMS = `OU=Teams,${BASE_DN}`
const alice: Person = { cn: 'alice', memberOf: [`CN=admins,OU=Ops,${TEAMS}`, `CN=readers,${TEAMS}`] }
const bob: Person = { cn: 'Bob', memberOf: [`CN=readers,${TEAMS}`] }
const weird: Person = { cn: 'x*(y)\\z', memberOf: [`CN=weird,${TEAMS}`] }
const lonely: Person = { cn: 'nogroups', memberOf: [] }
const PEOPLE = [alice, bob, weird, lonely, ...Array.from({ length: 12 }, (_, i) => ({ cn: `user${i}`, memberOf: [`CN=g${i % 3},${TEAMS}`] }))]

let slapd: Slapd
test.before(async () => {
  const missing = slapdAvailable()
  if (missing !== undefined) throw new Error(missing)
  slapd = await startSlapd(PEOPLE, ['ou=Teams', 'ou=Ops,ou=Teams'], { tls: true })
})
test.after.always(async () => slapd?.dispose())

function configYaml(uri: string, extra = '', password = ADMIN_PASSWORD): string {
  return `version: 2.0.0
logging: {level: info, format: console}
store: {enabled: false}
services: []
server: {port: 8080}
jwt: {exp: 3600, iss: t, secret: a-secret-of-at-least-32-bytes-long!!}
providers:
  - {type: plain, name: p, realm: r, users: [{username: alice, password: pw}]}
augmenters:
  - {type: ldap, name: dir, realm: r, uri: "${uri}", search_base: "${BASE_DN}", bind_dn: "${ADMIN_DN}", ldap_password: "${password}"${extra}}
`
}

function sync(
  dir: string,
  args: string[],
  env: { [name: string]: string } = {},
): Promise<{ code: number | null; stderr: string; stdout: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, 'ldap-sync', join(dir, 'config.yaml'), ...args], {
      env: { PATH: process.env.PATH ?? '', ...env },
    })
    let stderr = ''
    let stdout = ''
    child.stderr.on('data', (c) => (stderr += c))
    child.stdout.on('data', (c) => (stdout += c))
    child.on('exit', (code) => resolve({ code, stderr, stdout }))
  })
}

function setup(yaml: string) {
  const dir = mkdtempSync(join(tmpdir(), 'aot-ldap-sync-'))
  writeFileSync(join(dir, 'config.yaml'), yaml)
  const out = join(dir, 'config.json')
  const marker = join(dir, 'reloads')
  const args = ['--once', '-o', out, '--timeout', '2', '--reload-command', `echo reload >> ${marker}`]
  const reloads = () => (existsSync(marker) ? readFileSync(marker, 'utf8').split('\n').length - 1 : 0)
  const ldap = () => (JSON.parse(readFileSync(out, 'utf8')) as CompiledConfig).augmenters[0] as CompiledLdapAugmenter
  return { dir, out, args, reloads, ldap }
}

test.serial('a snapshot of every person with groups (paged past the size limit), roles by the DN rules', async (t) => {
  const s = setup(configYaml(slapd.uri, ', filters: ["OU=Teams"]'))
  const first = await sync(s.dir, s.args)
  t.is(first.code, 0, first.stderr)
  t.is(statSync(s.out).mode & 0o777, 0o600)
  chmodSync(s.out, 0o640) // what an operator does for QuickJS workers: kept by every rewrite
  t.is(s.reloads(), 1)
  const snapshot = s.ldap().snapshot!
  t.is(Object.keys(snapshot.members).length, 15) // the 16 people but nogroups; the server's sizelimit is 5
  const rolesOf = (name: string) => snapshot.members['=' + name].flatMap((i) => snapshot.groupRoles[i])
  t.deepEqual(rolesOf('alice'), ['/Teams/Ops/admins', '/Teams/readers'])
  t.deepEqual(rolesOf('bob'), ['/Teams/readers'])
  t.deepEqual(rolesOf('x*(y)\\z'), ['/Teams/weird'])
  t.regex(first.stderr, /augmenter "dir" \(augmenters\[0\], ldap:\/\/127\.0\.0\.1:\d+\): 15 users, 6 groups, \d+ bytes, read at /)
  t.false(first.stderr.includes(ADMIN_PASSWORD))
  t.false(readFileSync(s.out, 'utf8').includes(ADMIN_PASSWORD))
  // The precomputed Basic grant of alice carries her LDAP roles.
  const config = JSON.parse(readFileSync(s.out, 'utf8')) as CompiledConfig
  t.is(Object.keys(config.precomputedBasic!.byCredential).length, 1)
  t.regex(Object.values(config.precomputedBasic!.byCredential)[0].claimsTail, /"roles":\["\/Teams\/Ops\/admins","\/Teams\/readers"\]/)

  const unchanged = await sync(s.dir, s.args)
  t.is(unchanged.code, 0, unchanged.stderr)
  t.is(s.reloads(), 1, 'no write, no reload when nothing changed')
  t.regex(unchanged.stderr, /unchanged since /)

  await slapd.setGroups(bob, [`CN=writers,OU=Ops,${TEAMS}`])
  t.is((await sync(s.dir, s.args)).code, 0)
  t.is(s.reloads(), 2)
  t.is(statSync(s.out).mode & 0o777, 0o640)
  const after = s.ldap().snapshot!
  t.deepEqual(after.members['=bob'].flatMap((i) => after.groupRoles[i]), ['/Teams/Ops/writers'], JSON.stringify(after))
  await slapd.setGroups(bob, bob.memberOf)
})

test.serial('directory down or bind refused: exit 1, one line without the password, the last snapshot kept', async (t) => {
  const s = setup(configYaml(slapd.uri))
  t.is((await sync(s.dir, s.args)).code, 0)
  const before = readFileSync(s.out, 'utf8')

  writeFileSync(join(s.dir, 'config.yaml'), configYaml(slapd.uri, '', 'wrong-password'))
  const refused = await sync(s.dir, s.args)
  t.is(refused.code, 1)
  t.false(refused.stderr.includes('wrong-password'))
  t.is(refused.stderr.trim().split('\n').length, 1, refused.stderr)
  t.regex(refused.stderr, /ERR_LDAP|Invalid credentials|keeping the snapshot of /)
  t.is(readFileSync(s.out, 'utf8'), before)

  writeFileSync(join(s.dir, 'config.yaml'), configYaml(slapd.uri))
  await slapd.stop()
  try {
    const started = Date.now()
    const down = await sync(s.dir, s.args)
    t.is(down.code, 1)
    t.true(Date.now() - started < 10_000)
    t.regex(down.stderr, /keeping the snapshot of /)
    t.is(readFileSync(s.out, 'utf8'), before)
    t.is(s.reloads(), 1)
  } finally {
    await slapd.start()
  }
})

test.serial('a directory that accepts but never answers: the timeout ends the round', async (t) => {
  const silent = createServer(() => undefined) // keeps every connection open, says nothing
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve))
  try {
    const { port } = silent.address() as AddressInfo
    const s = setup(configYaml(`ldap://127.0.0.1:${port}`))
    const started = Date.now()
    const result = await sync(s.dir, [...s.args.filter((a) => a !== '2' && a !== '--timeout'), '--timeout', '1'])
    t.is(result.code, 1)
    t.true(Date.now() - started < 5000, `took ${Date.now() - started} ms`)
    t.regex(result.stderr, /time/i)
    t.is(result.stderr.split('\n').filter((line) => line.includes('augmenter "dir"')).length, 1, result.stderr)
  } finally {
    silent.close()
  }
})

test.serial('a first run with the directory down writes a config without a snapshot', async (t) => {
  const s = setup(configYaml('ldap://127.0.0.1:1'))
  const result = await sync(s.dir, s.args)
  t.is(result.code, 1)
  t.regex(result.stderr, /no snapshot to keep: no LDAP roles/)
  t.is(s.ldap().snapshot, null)
})

test.serial('ldapi:// (a unix socket) works as ldap:// does', async (t) => {
  const s = setup(configYaml(slapd.ldapiUri))
  const result = await sync(s.dir, s.args)
  t.is(result.code, 0, result.stderr)
  t.is(Object.keys(s.ldap().snapshot!.members).length, 15)
})

test.serial('ldaps:// verifies the server against the trust store (plus NODE_EXTRA_CA_CERTS)', async (t) => {
  const s = setup(configYaml(slapd.ldapsUri!))
  const untrusted = await sync(s.dir, s.args)
  t.is(untrusted.code, 1)
  t.regex(untrusted.stderr, /certificate/i)
  const trusted = await sync(s.dir, s.args, { NODE_EXTRA_CA_CERTS: slapd.caFile! })
  t.is(trusted.code, 0, trusted.stderr)
  t.is(Object.keys(s.ldap().snapshot!.members).length, 15)
})

test.serial('--user searches one name, escaped: metacharacters never widen the search', async (t) => {
  const s = setup(configYaml(slapd.uri))
  const exact = await sync(s.dir, ['--user', 'x*(y)\\z'])
  t.is(exact.code, 0, exact.stderr)
  t.regex(exact.stdout, /1 entries/)
  t.regex(exact.stdout, /CN=weird,OU=Teams,dc=example,dc=com → \["weird"\]/)
  for (const name of ['*', 'user*', 'x*', '*)(cn=*']) {
    const widened = await sync(s.dir, ['--user', name])
    t.is(widened.code, 0, widened.stderr)
    t.regex(widened.stdout, /: 0 entries/, name)
  }
})
