/**
 * Where a case's time goes inside the nginx worker: runs one leg's nginx (single process,
 * `master_process off`) under valgrind's callgrind with the bench's own conf and config, sends a
 * fixed number of requests of each case once warmed up, and reports instructions per request
 * (exact and repeatable, whatever else runs on the machine) with the functions that account for them.
 *
 *   npx tsx bench/profile.ts --leg bookworm --cases empty,basic [--requests 200] [--out DIR] [--plain-config]
 *                            [--ldap-users N] [--module FILE]
 *
 * --module FILE profiles another bundle than dist/authotron.js (e.g. `git show HEAD~1:dist/authotron.js`),
 * with the same config: instructions before and after a change.
 *
 * Writes <out>/<leg>-<case>.txt (callgrind_annotate, inclusive) and prints a summary. Used by
 * docs/benchmarks.md to explain misses. Slow (valgrind runs the worker ~50× slower): keep
 * --requests small. Only talks to 127.0.0.1.
 *
 * --ldap-users N adds an ldap augmenter to each realm with a snapshot of N directory users (the
 * bench's two users among them, in 2 groups each; the others in 20), as `authotron ldap-sync` would embed it (built
 * in-process: no directory is needed to measure the request path). docs/ldap.md, "Cost".
 */
import { execFileSync, spawn } from 'node:child_process'
import { chownSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { Agent } from 'node:http'
import { join, resolve } from 'node:path'
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml'
import { compileConfig } from '../test/nginx-harness/compile'
import { compileConfig as compileInProcess } from '../src/compiler/compile'
import { buildSnapshot, type DirectoryPerson } from '../src/augmenters/ldap/snapshot'
import { freePorts, waitForPort } from '../test/nginx-harness/net'
import { AUTHOTRON_CLI, AUTHOTRON_MODULE, makeTempDir } from '../test/nginx-harness/paths'
import { delay } from '../test/nginx-harness/processes'
import { legByName } from '../test/nginx-harness/runtimes'
import { getStatus, instructionsPerRequest, stopNginx } from './lib/callgrind'
import { CASES, CASE_IDS, LARGE_CREDENTIAL_BASE64_BYTES, largeBasicAuthorization, type CaseId } from './lib/cases'
import { BENCH_DIR, benchConf, minimalHitConf, type ConfigSnippets } from './lib/servers'
import { singleProcessConf } from '../test/nginx-harness/single-process'
import { startIdentityProvider } from './lib/tokens'

/** Distinct tokens for bearer-cold (signed once, kept by bench/lib/tokens.ts). */
const POOL_SIZE = 50_000

const BASIC = `Basic ${Buffer.from('bench:bench-password').toString('base64')}`

function option(name: string, fallback: string): string {
  const index = process.argv.indexOf(name)
  return index === -1 ? fallback : process.argv[index + 1]
}

async function main(): Promise<void> {
  const leg = legByName(option('--leg', 'bookworm'))
  const cases = option('--cases', 'empty,basic').split(',') as CaseId[]
  for (const id of cases) if (!(CASE_IDS as readonly string[]).includes(id)) throw new Error(`unknown case ${id}`)
  const requests = Number(option('--requests', '200'))
  const moduleFile = resolve(option('--module', AUTHOTRON_MODULE))
  const outDir = option('--out', join(BENCH_DIR, 'results/profiles'))
  const missing = leg.missing()
  if (missing) throw new Error(missing)
  if (!existsSync(AUTHOTRON_MODULE)) throw new Error('dist/authotron.js missing: npm run build')

  const work = makeTempDir(`profile-${leg.name}`)
  // The bench's config (plain + jwt providers), or without the jwt provider with --plain-config.
  // The bearer cases get the bench's identity provider (JWKS on loopback, a pool of RS256 tokens).
  const bearer = cases.some((id) => CASES[id].credential !== 'basic' && CASES[id].credential !== 'none' && !(CASES[id].credential in LARGE_CREDENTIAL_BASE64_BYTES))
  const idp = bearer ? await startIdentityProvider(POOL_SIZE, (line) => process.stderr.write(`${line}\n`)) : undefined
  const poolTokens = idp ? readFileSync(idp.poolFile, 'utf8').split('\n').filter(Boolean) : []
  let poolNext = 0
  const yamlText = readFileSync(join(BENCH_DIR, 'fixtures/config.yaml'), 'utf8').replaceAll('${JWKS_URL}', idp ? idp.jwksUrl : 'http://127.0.0.1:9/certs').replaceAll('${WHOAMI_URL}', 'http://127.0.0.1:9/v1')
  const yamlDoc = parseYaml(yamlText) as { providers: { type: string }[] }
  yamlDoc.providers = yamlDoc.providers.filter((p) => p.type !== 'jwt' && p.type !== 'ecmwf-api')
  const plain = process.argv.includes('--plain-config')
  const ldapUsers = Number(option('--ldap-users', '0'))
  const config =
    ldapUsers > 0
      ? compileWithLdapSnapshot(plain ? stringifyYaml(yamlDoc) : yamlText, work, ldapUsers, leg.workerGroupId)
      : await compileConfig(plain ? stringifyYaml(yamlDoc) : yamlText, work, { workerGroupId: leg.workerGroupId })
  // The jwt provider's JWK Set locations, as `authotron compile --nginx-snippets` writes them.
  const snippets: ConfigSnippets = { http: [], server: [] }
  if (!plain) {
    const snippetDir = join(work, 'snippets')
    mkdirSync(snippetDir, { recursive: true })
    execFileSync(process.execPath, [AUTHOTRON_CLI, 'compile', join(work, 'config.yaml'), '-o', join(work, 'config-snippets.json'), '--nginx-snippets', snippetDir, '--jwks-cache-dir', join(work, 'jwks-cache'), '--remote-cache-dir', join(work, 'remote-cache')], { stdio: 'pipe' })
    for (const file of readdirSync(snippetDir).filter((f) => f.endsWith('.conf')).sort()) {
      const path = join(snippetDir, file)
      // The `…-locations.conf` files go into the server; the others (proxy_cache_path, the JWK Set
      // relay's own server) into http.
      if (file.endsWith('-locations.conf')) snippets.server.push(path)
      else snippets.http.push(path)
    }
  }
  const [port, sidecar] = await freePorts(2)
  const confFor = (bare: boolean, cache: boolean, minimal = false, metrics = false) =>
    singleProcessConf(leg, work, [
      ...(bare || minimal
        ? []
        : [
            `js_import authotron from ${moduleFile};`,
            `js_preload_object authotron_cfg from ${config};`,
            `js_var $authotron_config_file ${config};`,
          ]),
      minimal
        ? minimalHitConf({ port })
        : benchConf({ leg, port, ports: { main: port, sidecar } }, cache, bare, bare ? undefined : snippets, metrics),
    ])
  const { file, args } = leg.nginxCommand(['-p', `${work}/`, '-c', join(work, 'nginx.conf'), '-e', join(work, 'error.log')])
  mkdirSync(outDir, { recursive: true })

  const results: string[] = []
  for (const id of cases) {
    const c = CASES[id]
    const out = join(work, `callgrind.${id}.out`)
    writeFileSync(
      join(work, 'nginx.conf'),
      confFor(
        c.instance === 'bare',
        leg.features.sharedDict && (c.instance === 'main' || c.instance === 'cold' || c.instance === 'metrics'),
        c.instance === 'minimal',
        c.instance === 'metrics',
      ),
    )
    const child = spawn('valgrind', ['--tool=callgrind', '--instr-atstart=no', `--callgrind-out-file=${out}`, file, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let output = ''
    child.stdout.on('data', (d) => (output += d))
    child.stderr.on('data', (d) => (output += d))
    try {
      await waitForPort(port, 120_000, () => {
        if (child.exitCode !== null) throw new Error(`nginx under valgrind exited:\n${output}`)
      })
      const headers: { [name: string]: string } = {}
      if (c.credential === 'basic') headers.Authorization = BASIC
      if (c.credential === 'bearer-cached') headers.Authorization = `Bearer ${idp!.cachedToken}`
      if (c.credential in LARGE_CREDENTIAL_BASE64_BYTES)
        headers.Authorization = largeBasicAuthorization(c.credential as keyof typeof LARGE_CREDENTIAL_BASE64_BYTES)
      const nextHeaders = () =>
        c.credential === 'bearer-pool' ? { Authorization: `Bearer ${poolTokens[poolNext++]}` } : headers
      const agent = new Agent({ keepAlive: true, maxSockets: 1 })
      // Warm up: module loaded, grant cached, QuickJS context created.
      for (let i = 0; i < 20; i++) await getStatus(port, c.path, nextHeaders(), agent)
      execFileSync('callgrind_control', ['-i', 'on', String(child.pid)], { stdio: 'ignore' })
      for (let i = 0; i < requests; i++) {
        const status = await getStatus(port, c.path, nextHeaders(), agent)
        if (status !== 200) throw new Error(`${c.path} answered ${status}`)
      }
      execFileSync('callgrind_control', ['-i', 'off', String(child.pid)], { stdio: 'ignore' })
      agent.destroy()
    } finally {
      await stopNginx(child)
    }
    const annotate = annotated(out)
    const perRequest = instructionsPerRequest(annotate, requests)
    const top = annotate
      .split('\n')
      .filter((line) => /^\s*[\d,]+ \(/.test(line))
      .slice(0, 60)
      .map((line) => line.replace(/ \[\/[^\]]*\/([^/\]]+)\]$/, ' [$1]'))
      .join('\n')
    writeFileSync(
      join(outDir, `${leg.name}-${id}.txt`),
      `# npx tsx bench/profile.ts --leg ${leg.name} --cases ${id} --requests ${requests}\n` +
        `# ${perRequest} instructions per request (callgrind Ir, measured requests only, after 20 warm-up requests)\n` +
        `# top 60 functions by inclusive cost (callgrind_annotate --inclusive=yes); Debian's binaries are stripped, so many are addresses\n\n${top}\n`,
    )
    results.push(`${leg.name} ${id}: ${perRequest.toLocaleString('en')} instructions per request\n${top}\n`)
    process.stdout.write(`${results[results.length - 1]}\n`)
    await delay(200)
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    process.stderr.write(`profile: ${error instanceof Error ? error.message : String(error)}\n`)
    process.exit(1)
  },
)

/** callgrind_annotate's inclusive listing; once more after a failure (it fails now and then on a loaded machine). */
function annotated(out: string): string {
  const run = () => execFileSync('callgrind_annotate', ['--inclusive=yes', '--threshold=99', out], { encoding: 'utf8', maxBuffer: 64 << 20 })
  try {
    return run()
  } catch {
    return run()
  }
}

/** The bench's YAML plus an ldap augmenter per realm, compiled with a synthetic snapshot (--ldap-users). */
function compileWithLdapSnapshot(yamlText: string, work: string, users: number, workerGroupId: number | undefined): string {
  const doc = parseYaml(yamlText) as { providers: { realm: string }[]; augmenters?: unknown[] }
  const realms = [...new Set(doc.providers.map((p) => p.realm))]
  doc.augmenters = [
    ...(doc.augmenters ?? []),
    ...realms.map((realm) => ({
      type: 'ldap',
      name: `ldap-${realm}`,
      realm,
      uri: 'ldap://127.0.0.1:9',
      search_base: 'dc=example,dc=com',
      bind_dn: 'cn=sync,dc=example,dc=com',
      ldap_password: 'unused',
      filters: ['OU=Teams', 'OU=Ops'],
    })),
  ]
  const people: DirectoryPerson[] = []
  // The bench's plain user and the identity provider's token subject (bench/lib/tokens.ts), then others.
  const names = ['bench', 'bench-idp-user', ...Array.from({ length: Math.max(0, users - 2) }, (_, i) => `user${i}`)]
  names.forEach((name, i) => {
    // The measured users are in 2 groups (4 roles with the two filters), the others in 20: the
    // directory's size weighs on the lookup, while the token grows only by the measured users' roles.
    const count = i < 2 ? 2 : 20
    const groups = Array.from({ length: count }, (_, g) => `CN=group${(i + g * 7) % 400},OU=Ops,OU=Teams,DC=example,DC=com`)
    people.push({ dn: `cn=${name},ou=people,dc=example,dc=com`, cn: [name], memberOf: groups })
  })
  const snapshot = buildSnapshot(people, { filter: null, filters: ['OU=Teams', 'OU=Ops'] }, new Date())
  const firstLdap = (doc.augmenters.length - realms.length)
  const inputs = new Map(realms.map((_, i) => [firstLdap + i, snapshot] as [number, unknown]))
  const yamlPath = join(work, 'config.yaml')
  writeFileSync(yamlPath, stringifyYaml(doc))
  const result = compileInProcess({ path: yamlPath, env: {}, cwd: work, augmenterInputs: inputs })
  if (result.config === undefined) throw new Error(result.errors.join('\n'))
  const target = join(work, 'config.json')
  writeFileSync(target, JSON.stringify(result.config), { mode: 0o640 })
  if (workerGroupId !== undefined && process.getuid?.() === 0) chownSync(target, 0, workerGroupId)
  process.stderr.write(`ldap snapshots: ${names.length} users (20 groups each but the measured two), config ${statSync(target).size} bytes\n`)
  return target
}
