/**
 * The legs under test: the bench config compiled once (with and without the jwt provider, and the
 * JWK Set snippets the compiler writes), then per leg the nginx instances its cases need, each case
 * probed before it is measured, and what every request of a case carries.
 */
import { execFileSync } from 'node:child_process'
import { generateKeyPairSync } from 'node:crypto'
import { chmodSync, chownSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml'
import { compileConfig } from '../../test/nginx-harness/compile'
import { probeVersions } from '../../test/nginx-harness/nginx'
import { AUTHOTRON_CLI, REPO_ROOT } from '../../test/nginx-harness/paths'
import { legByName, type RuntimeLeg } from '../../test/nginx-harness/runtimes'
import { embedLdapSnapshot, LDAP_PASSWORD, LDAP_USER, withLdapRealm } from './ldap-realm'
import { CASES, LARGE_CREDENTIAL_BASE64_BYTES, largeBasicAuthorization, SIGNING_INSTANCES, type BenchCase, type SigningInstance } from './cases'
import { log } from './log'
import { mintToken } from '../../src/jwt/mint'
import { newUser } from '../../src/user'
import { nodeCrypto } from '../../test/support/node-platform'
import { legPackages } from './machine'
import type { BenchOptions } from './options'
import type { BenchResults, LegResult } from './results'
import { BENCH_DIR, CONTENT, startBenchNginx, type BenchNginx, type ConfigSnippets } from './servers'
import type { IdentityProvider } from './tokens'
import { REMOTE_API_KEY } from './remote-bench'

const BASIC_USER = 'bench'
const BASIC_PASSWORD = 'bench-password'
export const BASIC_AUTHORIZATION = `Basic ${Buffer.from(`${BASIC_USER}:${BASIC_PASSWORD}`).toString('base64')}`
const LDAP_AUTHORIZATION = `Basic ${Buffer.from(`${LDAP_USER}:${LDAP_PASSWORD}`).toString('base64')}`

export interface LegState {
  runtime: RuntimeLeg
  result: LegResult
  config: string
  snippets: ConfigSnippets
  cache: boolean
  main: BenchNginx
  nocache?: BenchNginx
  metrics?: BenchNginx
  bare?: BenchNginx
  minimal?: BenchNginx
  /** The RS256/ES256 instances (cases.ts SigningInstance), started when a case needs one. */
  signing: { [kind in SigningInstance]?: BenchNginx }
  /** The cases measured on this leg, in canonical order. */
  cases: BenchCase[]
  /** The token-store case's token, made by GET /token on `main` (each leg's nginx has its own store). */
  storeToken?: string
}

export interface Configs {
  /** Compiled with the jwt provider, when the compiler accepted it. */
  withJwt?: string
  /** What `--nginx-snippets` wrote for it (when the compiler has that option). */
  snippets: ConfigSnippets
  /** Why bearer results may be missing, to add to a failed probe's reason. */
  bearerHint?: string
  withJwtProblem?: string
  /** Compiled without it (the fallback when the module cannot run the jwt provider). */
  plain: string
  /** The plain config with `jwt.alg` RS256 / ES256 and a key generated for the run. */
  rs256: string
  es256: string
}

export async function compileConfigs(idp: IdentityProvider, whoAmIUrl: string, work: string, legs: string[]): Promise<Configs> {
  // The compiler writes 0600 (the file holds the JWT secret); QuickJS workers (nobody) read it.
  const gids = [...new Set(legs.map((name) => legByName(name).workerGroupId))]
  if (gids.length > 1) throw new Error(`legs ${legs.join(', ')} run their workers under different groups`)
  const access = { workerGroupId: gids[0] }
  const yamlText = withLdapRealm(readFileSync(join(BENCH_DIR, 'fixtures/config.yaml'), 'utf8').replaceAll('${JWKS_URL}', idp.jwksUrl).replaceAll('${WHOAMI_URL}', whoAmIUrl))
  const plainDoc = parseYaml(yamlText) as { providers: { type: string }[] }
  // Without the jwt provider, and without the remote-cached case's ecmwf-api (its locations come with the snippets).
  plainDoc.providers = plainDoc.providers.filter((p) => p.type !== 'jwt' && p.type !== 'ecmwf-api')
  const plainDir = dir(work, 'config-plain')
  const plain = await compileConfig(stringifyYaml(plainDoc), plainDir, access)
  embedLdapSnapshot(join(plainDir, 'config.yaml'), plain, plainDir)
  const signed = async (alg: 'RS256' | 'ES256') => {
    const signingDir = dir(work, `config-${alg.toLowerCase()}`)
    const key = alg === 'RS256' ? generateKeyPairSync('rsa', { modulusLength: 2048 }) : generateKeyPairSync('ec', { namedCurve: 'P-256' })
    const keyFile = join(signingDir, 'signing-key.pem')
    writeFileSync(keyFile, key.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, { mode: 0o600 })
    const doc = structuredClone(plainDoc) as unknown as { jwt: { [key: string]: unknown } }
    doc.jwt = { iss: doc.jwt.iss, exp: doc.jwt.exp, alg, private_key_file: keyFile }
    const file = await compileConfig(stringifyYaml(doc), signingDir, access)
    embedLdapSnapshot(join(signingDir, 'config.yaml'), file, signingDir)
    return file
  }
  const [rs256, es256] = [await signed('RS256'), await signed('ES256')]
  const snippets: ConfigSnippets = { http: [], server: [] }
  try {
    const jwtDir = dir(work, 'config-jwt')
    const withJwt = await compileConfig(yamlText, jwtDir, access)
    const help = execFileSync(process.execPath, [AUTHOTRON_CLI, 'compile', '--help'], { encoding: 'utf8' })
    if (!help.includes('--nginx-snippets')) {
      return {
        withJwt,
        plain,
        rs256,
        es256,
        snippets,
        bearerHint:
          '`authotron compile` has no --nginx-snippets yet, so the JWK Set locations the jwt provider fetches keys through (src/njs/jwks.ts) cannot be generated',
      }
    }
    // The same compile again with the snippets (the harness's compileConfig has no such option).
    const snippetDir = dir(jwtDir, 'snippets')
    execFileSync(
      process.execPath,
      [AUTHOTRON_CLI, 'compile', join(jwtDir, 'config.yaml'), '-o', withJwt, '--nginx-snippets', snippetDir, '--remote-cache-dir', dir(jwtDir, 'remote-cache'), '--jwks-cache-dir', join(jwtDir, 'jwks-cache')],
      { stdio: 'pipe' },
    )
    embedLdapSnapshot(join(jwtDir, 'config.yaml'), withJwt, jwtDir)
    if (process.getuid?.() === 0) {
      chownSync(withJwt, 0, access.workerGroupId)
      chmodSync(withJwt, 0o640)
    }
    for (const file of readdirSync(snippetDir).filter((f) => f.endsWith('.conf')).sort()) {
      const path = join(snippetDir, file)
      // The `…-locations.conf` files go into the server; the others (proxy_cache_path, the JWK Set
      // relay's own server) into http.
      if (file.endsWith('-locations.conf')) snippets.server.push(path)
      else snippets.http.push(path)
    }
    log(`jwt provider snippets: ${[...snippets.http, ...snippets.server].map((f) => relative(work, f)).join(', ') || 'none written'}`)
    return { withJwt, plain, rs256, es256, snippets }
  } catch (error) {
    const problem = `the compiler refuses the config with a \`type: jwt\` provider: ${firstLines((error as Error).message, 3)}`
    log(`bearer cases: not available: ${problem}`)
    return { withJwtProblem: problem, plain, rs256, es256, snippets }
  }
}

export async function setUpLeg(
  legName: string,
  options: BenchOptions,
  configs: Configs,
  idp: IdentityProvider,
  results: BenchResults,
): Promise<LegState | undefined> {
  const runtime = legByName(legName)
  const result: LegResult = {
    leg: runtime.name as LegResult['leg'],
    description: runtime.description,
    status: 'measured',
    packages: legPackages(runtime.name as LegResult['leg']),
    features: runtime.features,
    config: '',
    grantCache: runtime.features.sharedDict,
    cases: {},
    ratios: {},
    halfLoad: {},
  }
  results.legs.push(result)
  const missing = runtime.missing()
  if (missing !== undefined) {
    result.status = 'not available'
    result.reason = missing
    log(`leg ${legName}: not available: ${missing}`)
    return undefined
  }
  result.versions = await probeVersions(runtime)
  log(`leg ${legName}: nginx ${result.versions.nginx}, njs ${result.versions.njs} (${result.versions.engine})`)
  const cache = runtime.features.sharedDict

  let bearerProblem = configs.withJwtProblem
  let config = configs.withJwt ?? configs.plain
  const noSnippets: ConfigSnippets = { http: [], server: [] }
  let snippets = config === configs.withJwt ? configs.snippets : noSnippets
  let main = await startBenchNginx(runtime, 'main', config, cache, snippets)
  const firstBasic = await probe(main, CASES.basic, idp)
  if (firstBasic !== undefined && config === configs.withJwt) {
    // Does a jwt provider in the config break the module as a whole on this leg?
    await main.stop()
    config = configs.plain
    snippets = noSnippets
    main = await startBenchNginx(runtime, 'main', config, cache, snippets)
    if ((await probe(main, CASES.basic, idp)) === undefined) {
      bearerProblem = `with a \`type: jwt\` provider in the config the module fails even for Basic (${firstBasic}); measured with the config without it`
    }
  }
  result.config = config === configs.withJwt ? 'bench/fixtures/config.yaml (plain + jwt providers)' : 'bench/fixtures/config.yaml without the jwt provider'
  const state: LegState = { runtime, result, config, snippets, cache, main, signing: {}, cases: [] }
  if (options.cases.includes('token-store') && runtime.features.sharedDict) {
    state.storeToken = await newStoreToken(main)
  }

  for (const id of options.cases) {
    const c = CASES[id]
    const notAvailable = (reason: string) => {
      result.cases[id] = { status: 'not available', reason, runs: [] }
      log(`  ${legName} ${id}: not available: ${reason}`)
    }
    const unsupported = c.unsupported?.(runtime)
    if (unsupported !== undefined) {
      notAvailable(unsupported)
      continue
    }
    if ((id === 'bearer-cold' || id === 'bearer-cached') && bearerProblem !== undefined) {
      notAvailable(bearerProblem)
      continue
    }
    if (c.instance === 'nocache' && state.nocache === undefined) {
      state.nocache = await startBenchNginx(runtime, 'nocache', config, false, snippets)
    }
    if (c.instance === 'metrics' && state.metrics === undefined) {
      state.metrics = await startBenchNginx(runtime, 'metrics', config, cache, snippets)
    }
    if (c.instance === 'bare' && state.bare === undefined) {
      state.bare = await startBenchNginx(runtime, 'bare', undefined, false)
    }
    if (c.instance === 'minimal' && state.minimal === undefined) {
      state.minimal = await startBenchNginx(runtime, 'minimal', undefined, true)
    }
    const signingKind = SIGNING_INSTANCES.find((kind) => kind === c.instance)
    if (signingKind !== undefined && state.signing[signingKind] === undefined) {
      const signingConfig = signingKind.startsWith('rs256') ? configs.rs256 : configs.es256
      state.signing[signingKind] = await startBenchNginx(runtime, signingKind, signingConfig, cache && !signingKind.endsWith('-nocache'))
    }
    // bearer-cold is probed where it runs (a fresh nginx) with the reused token, so the pool stays unseen.
    const target = c.instance === 'cold' ? undefined : instance(state, c)
    let problem: string | undefined
    if (target !== undefined) problem = await probe(target, c, idp, state)
    else {
      const cold = await startBenchNginx(runtime, 'cold', config, cache, snippets)
      try {
        problem = await probe(cold, CASES['bearer-cached'], idp)
      } finally {
        await cold.stop()
      }
    }
    if (problem !== undefined) {
      if (id.startsWith('bearer') && !existsSync(join(REPO_ROOT, 'src/providers/jwt/runtime.ts'))) {
        problem += ' — src/providers/jwt/runtime.ts does not exist yet: this module has no `type: jwt` provider'
      } else if (id.startsWith('bearer') && configs.bearerHint !== undefined) {
        problem += ` — ${configs.bearerHint}`
      }
      notAvailable(problem)
      continue
    }
    result.cases[id] = { status: 'measured', runs: [] }
    state.cases.push(c)
  }
  return state
}

export function instance(state: LegState, c: BenchCase): BenchNginx {
  if (c.instance === 'nocache') return state.nocache!
  if (c.instance === 'metrics') return state.metrics!
  if (c.instance === 'bare') return state.bare!
  if (c.instance === 'minimal') return state.minimal!
  const signingKind = SIGNING_INSTANCES.find((kind) => kind === c.instance)
  if (signingKind !== undefined) return state.signing[signingKind]!
  return state.main
}

/** GET /token with the Basic credential (the bench config's embedded token store). */
async function newStoreToken(nginx: BenchNginx): Promise<string | undefined> {
  const response = await fetch(nginx.url('/token'), { headers: { Authorization: BASIC_AUTHORIZATION } })
  if (response.status !== 200) return undefined
  return ((await response.json()) as { token: string }).token
}

export function headersOf(c: BenchCase, idp: IdentityProvider, state?: Pick<LegState, 'storeToken'>): string[] {
  if (c.credential === 'store-token') return state?.storeToken === undefined ? [] : [`Authorization: Bearer ${state.storeToken}`]
  if (c.credential === 'basic') return [`Authorization: ${BASIC_AUTHORIZATION}`]
  if (c.credential === 'basic-ldap') return [`Authorization: ${LDAP_AUTHORIZATION}`]
  if (c.credential in LARGE_CREDENTIAL_BASE64_BYTES) return [`Authorization: ${largeBasicAuthorization(c.credential as keyof typeof LARGE_CREDENTIAL_BASE64_BYTES)}`]
  if (c.credential === 'bearer-cached' || c.credential === 'bearer-pool') return [`Authorization: Bearer ${idp.cachedToken}`]
  if (c.credential === 'remote-key') return [`Authorization: Bearer ${REMOTE_API_KEY}`]
  if (c.credential === 'cookie') return [`Cookie: ${SESSION_COOKIE}=${sessionToken()}`]
  return []
}

const SESSION_COOKIE = 'authotron_session'
let benchSessionToken: string | undefined

/**
 * The session cookie's token: what `/authenticate?redirect=…` would have set for the Basic user,
 * minted with the module's own code under bench/fixtures/config.yaml's `jwt` (valid for a day).
 */
function sessionToken(): string {
  if (benchSessionToken !== undefined) return benchSessionToken
  const yaml = readFileSync(join(BENCH_DIR, 'fixtures/config.yaml'), 'utf8')
  const jwt = /^jwt: \{ exp: \d+, iss: ([\w-]+), secret: ([\w-]+) \}$/m.exec(yaml)
  if (jwt === null) throw new Error('bench/fixtures/config.yaml: no `jwt: { exp, iss, secret }` line for the cookie case')
  const user = newUser(BASIC_USER, 'localrealm', ['reader', 'writer'])
  benchSessionToken = mintToken(user, { iss: jwt[1], exp: 86_400, secret: jwt[2] }, Math.floor(Date.now() / 1000), nodeCrypto)
  return benchSessionToken
}

/**
 * Why `c` does not work on `nginx` (undefined when it does): the protected file must come back
 * with the case's credential, and a case that authenticates must refuse a request without one.
 */
async function probe(nginx: BenchNginx, c: BenchCase, idp: IdentityProvider, state?: Pick<LegState, 'storeToken'>): Promise<string | undefined> {
  const logOffset = nginx.server.errorLogSize()
  const headers: { [name: string]: string } = {}
  for (const line of headersOf(c, idp, state)) {
    const at = line.indexOf(':')
    headers[line.slice(0, at)] = line.slice(at + 1).trim()
  }
  const logged = () => {
    const lines = nginx.server
      .errorLogSince(logOffset)
      .split('\n')
      .filter((line) => /\[(error|warn|alert|crit|emerg)\]/.test(line))
      .map((line) => line.replace(/^\S+ \S+ \[(\w+)\] \d+#\d+: (\*\d+ )?/, '[$1] ').replace(/, client: .*$/, ''))
    return lines.length > 0 ? `; nginx logged: ${lines.slice(-2).join(' | ')}` : ''
  }
  try {
    const response = await fetch(nginx.url(c.path), { headers })
    const body = await response.text()
    if (response.status !== 200) return `GET ${c.path} with a valid credential answered ${response.status}${logged()}`
    if (body !== CONTENT) return `GET ${c.path} answered 200 but not the protected file`
    if (c.credential in LARGE_CREDENTIAL_BASE64_BYTES) {
      // /basic-refused answers 200 either way: the same credential must be refused where it counts.
      const guarded = await fetch(nginx.url('/basic'), { headers })
      await guarded.arrayBuffer()
      if (guarded.status !== 401) return `GET /basic with the ${c.id} credential answered ${guarded.status}, not 401${logged()}`
    }
    if (c.refusesAnonymous) {
      const anonymous = await fetch(nginx.url(c.path))
      await anonymous.arrayBuffer()
      if (anonymous.status !== 401) return `GET ${c.path} without credentials answered ${anonymous.status}, not 401`
    }
  } catch (error) {
    return `GET ${c.path} failed: ${(error as Error).message}${logged()}`
  }
  return undefined
}

/** Stops every nginx the leg started. */
export async function stopLeg(state: LegState): Promise<void> {
  await state.main.stop()
  await state.nocache?.stop()
  await state.metrics?.stop()
  await state.bare?.stop()
  await state.minimal?.stop()
  for (const kind of SIGNING_INSTANCES) await state.signing[kind]?.stop()
}

function dir(parent: string, name: string): string {
  const path = join(parent, name)
  mkdirSync(path, { recursive: true })
  return path
}

function firstLines(text: string, count: number): string {
  return text.split('\n').filter((line) => line.trim() !== '').slice(0, count).join(' ')
}
