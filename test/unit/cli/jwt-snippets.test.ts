/** `authotron compile --nginx-snippets DIR` as operators run it (build first: npm run build). */
import test from 'ava'
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const CLI = fileURLToPath(new URL('../../../dist/cli.mjs', import.meta.url))

const CONFIG = `version: 2.0.0
store: {enabled: false}
services: []
server: {port: 8080}
logging: {level: info, format: json}
jwt: {iss: me, exp: 3600, secret: 0123456789abcdef0123456789abcdef}
providers:
  - {type: jwt, name: keycloak, realm: ecmwf, cert_uri: "https://kc.example/certs", iam_realm: ecmwf}
`

function run(args: string[], cwd: string) {
  const result = spawnSync(process.execPath, [CLI, ...args], { cwd, env: { PATH: process.env.PATH ?? '' }, encoding: 'utf8' })
  return { code: result.status, stdout: result.stdout, stderr: result.stderr }
}

function scratch(): string {
  const dir = mkdtempSync(join(tmpdir(), 'aot-jwks-'))
  writeFileSync(join(dir, 'config.yaml'), CONFIG)
  return dir
}

test.before((t) => {
  if (!existsSync(CLI)) t.fail(`${CLI} is missing. Fix: npm run build`)
})

test('compile --nginx-snippets writes both snippets (0644) before the config, for that config', (t) => {
  const dir = scratch()
  const { code, stderr } = run(
    ['compile', 'config.yaml', '-o', 'config.json', '--nginx-snippets', '.', '--jwks-cache-dir', '/srv/cache/jwks', '-q'],
    dir,
  )
  t.is(code, 0, stderr)
  t.deepEqual(readdirSync(dir).sort(), [
    'authotron-jwks-http.conf',
    'authotron-jwks-locations.conf',
    'authotron-remote-http.conf',
    'authotron-remote-locations.conf',
    'config.json',
    'config.yaml',
  ])
  const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'))
  const http = readFileSync(join(dir, 'authotron-jwks-http.conf'), 'utf8')
  const locations = readFileSync(join(dir, 'authotron-jwks-locations.conf'), 'utf8')
  t.true(http.includes(`for config ${config.configId}.`))
  t.true(http.includes('proxy_cache_path /srv/cache/jwks keys_zone=authotron_jwks:1m'))
  t.true(locations.includes(`location = ${config.providers[0].jwks.location} {`))
  t.true(locations.includes(`location = ${config.providers[0].jwks.refreshLocation} {`))
  t.is(statSync(join(dir, 'authotron-jwks-locations.conf')).mode & 0o777, 0o644)
  t.deepEqual(
    stderr.trimEnd().split('\n').map((line) => line.replace(/ \(config .*\)$/, '')),
    [
      'authotron: wrote authotron-jwks-http.conf',
      'authotron: wrote authotron-jwks-locations.conf',
      'authotron: wrote authotron-remote-http.conf',
      'authotron: wrote authotron-remote-locations.conf',
      'authotron: wrote config.json',
    ],
  )
})

test('without --nginx-snippets nothing but the config is written; the default cache dir is Debian\'s', (t) => {
  const dir = scratch()
  t.is(run(['compile', 'config.yaml', '-o', 'config.json', '-q'], dir).code, 0)
  t.deepEqual(readdirSync(dir).sort(), ['config.json', 'config.yaml'])
  t.is(run(['compile', 'config.yaml', '-o', 'config.json', '-q', '--nginx-snippets', dir], dir).code, 0)
  t.true(readFileSync(join(dir, 'authotron-jwks-http.conf'), 'utf8').includes('proxy_cache_path /var/lib/nginx/authotron-jwks '))
})

test('usage errors: --jwks-cache-dir alone, an empty --nginx-snippets', (t) => {
  const dir = scratch()
  const alone = run(['compile', 'config.yaml', '-o', 'x.json', '--jwks-cache-dir', '/x'], dir)
  t.is(alone.code, 2)
  t.true(alone.stderr.startsWith('authotron compile: --jwks-cache-dir goes with --nginx-snippets DIR\n'))
  t.is(run(['compile', 'config.yaml', '-o', 'x.json', '--nginx-snippets', ''], dir).code, 2)
})

test('a missing snippets directory is created, parents included', (t) => {
  const dir = scratch()
  const target = join(dir, 'snippets', 'jwt')
  t.is(run(['compile', 'config.yaml', '-o', 'config.json', '-q', '--nginx-snippets', target], dir).code, 0)
  t.deepEqual(readdirSync(target).sort(), [
    'authotron-jwks-http.conf',
    'authotron-jwks-locations.conf',
    'authotron-remote-http.conf',
    'authotron-remote-locations.conf',
  ])
  t.true(existsSync(join(dir, 'config.json')))
})

test('an unwritable snippets directory fails the command and writes no config', (t) => {
  const dir = scratch()
  // A file where the directory should be: it can be neither created nor written into.
  writeFileSync(join(dir, 'taken'), '')
  const { code, stderr } = run(['compile', 'config.yaml', '-o', 'config.json', '-q', '--nginx-snippets', join(dir, 'taken')], dir)
  t.is(code, 1)
  t.regex(stderr, /^error: cannot create .*taken: /)
  t.false(existsSync(join(dir, 'config.json')))
})
