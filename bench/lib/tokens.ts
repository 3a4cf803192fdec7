/**
 * The identity provider of the bearer cases: an RSA-2048 key, its JWKS served on loopback, and
 * RS256 tokens signed with it — one token reused (bearer-cached) and a pool of distinct tokens,
 * each used once per measurement (bearer-cold).
 *
 * Signing costs ~0.45 ms per token here, so the pool is kept under .tmp/bench-cache/ (gitignored)
 * and reused by later runs while its tokens are valid for at least another day.
 */
import { createHash, createPrivateKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import { cpus } from 'node:os'
import { join } from 'node:path'
import { Worker } from 'node:worker_threads'
import { freePort, releasePorts } from '../../test/nginx-harness/net'
import { TMP_ROOT } from '../../test/nginx-harness/paths'

export const CACHE_DIR = join(TMP_ROOT, 'bench-cache')
/** Tokens stay valid this long after they are signed; the pool is renewed a day before. */
const TOKEN_LIFETIME_S = 30 * 24 * 3600
const RENEW_BEFORE_S = 24 * 3600
export const ISSUER = 'http://127.0.0.1/realms/bench'
export const KID = 'bench-rs256'

export interface IdentityProvider {
  /** `http://127.0.0.1:<port>/certs` */
  jwksUrl: string
  /** The token of bearer-cached. */
  cachedToken: string
  /** One token per line; never the cached token. */
  poolFile: string
  poolSize: number
  /** How many times the JWKS was fetched (the module should fetch it rarely). */
  jwksFetches(): number
  stop(): Promise<void>
}

interface StoredKey {
  pkcs8: string
  jwk: { [key: string]: unknown }
}

export async function startIdentityProvider(poolSize: number, log: (line: string) => void): Promise<IdentityProvider> {
  mkdirSync(CACHE_DIR, { recursive: true })
  const key = loadOrCreateKey()
  const privateKey = createPrivateKey({ key: Buffer.from(key.pkcs8, 'base64'), format: 'der', type: 'pkcs8' })
  const now = Math.floor(Date.now() / 1000)
  const cachedToken = signToken(privateKey, claims('cached', now))
  const poolFile = join(CACHE_DIR, `pool-${poolSize}.txt`)
  if (!poolUsable(poolFile, poolSize, now)) {
    const started = Date.now()
    log(`signing a pool of ${poolSize} RS256 tokens for bearer-cold (kept in ${poolFile}) …`)
    const tokens = await signPool(key.pkcs8, poolSize, claims('', now))
    writeFileSync(`${poolFile}.partial`, tokens.join('\n') + '\n')
    renameSync(`${poolFile}.partial`, poolFile)
    log(`  signed in ${((Date.now() - started) / 1000).toFixed(1)} s`)
  }

  const jwks = JSON.stringify({ keys: [key.jwk] })
  let fetches = 0
  const port = await freePort()
  const server: Server = createServer((request, response) => {
    if (request.url === '/certs') {
      fetches++
      response.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(jwks) })
      response.end(jwks)
      return
    }
    response.writeHead(404)
    response.end()
  })
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve))
  return {
    jwksUrl: `http://127.0.0.1:${port}/certs`,
    cachedToken,
    poolFile,
    poolSize,
    jwksFetches: () => fetches,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => {
          releasePorts([port])
          resolve()
        })
      }),
  }
}

function loadOrCreateKey(): StoredKey {
  const file = join(CACHE_DIR, 'idp-key.json')
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as StoredKey
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
  const jwk = { ...publicKey.export({ format: 'jwk' }), kid: KID, alg: 'RS256', use: 'sig' }
  const stored: StoredKey = {
    pkcs8: (privateKey.export({ format: 'der', type: 'pkcs8' }) as Buffer).toString('base64'),
    jwk,
  }
  writeFileSync(file, JSON.stringify(stored))
  return stored
}

/** The claims of a Keycloak-style access token, as Auth-O-Tron's jwt provider reads them. */
function claims(id: string, now: number): { [claim: string]: unknown } {
  return {
    exp: now + TOKEN_LIFETIME_S,
    iat: now,
    jti: id,
    iss: ISSUER,
    aud: 'account',
    sub: 'bench-idp-user',
    typ: 'Bearer',
    azp: 'bench-client',
    preferred_username: 'bench-idp-user',
    scope: 'openid profile email',
    realm_access: { roles: ['default-roles-bench', 'reader'] },
    resource_access: { account: { roles: ['view-profile'] } },
  }
}

export function signToken(privateKey: KeyObject, payload: { [claim: string]: unknown }): string {
  const header = { alg: 'RS256', typ: 'JWT', kid: KID }
  const input =
    Buffer.from(JSON.stringify(header)).toString('base64url') +
    '.' +
    Buffer.from(JSON.stringify(payload)).toString('base64url')
  return input + '.' + sign('sha256', Buffer.from(input), privateKey).toString('base64url')
}

function poolUsable(file: string, size: number, now: number): boolean {
  if (!existsSync(file)) return false
  const text = readFileSync(file, 'utf8')
  const first = text.slice(0, text.indexOf('\n'))
  const lines = text.split('\n').filter((line) => line !== '').length
  if (lines !== size) return false
  try {
    const payload = JSON.parse(Buffer.from(first.split('.')[1], 'base64url').toString('utf8')) as { exp: number }
    return payload.exp - now > RENEW_BEFORE_S
  } catch {
    return false
  }
}

/** Signs `count` distinct tokens on every core (this runs before any measurement). */
async function signPool(pkcs8: string, count: number, template: object): Promise<string[]> {
  const workers = Math.max(1, cpus().length)
  const per = Math.ceil(count / workers)
  const parts = await Promise.all(
    Array.from({ length: workers }, (_, w) => {
      const from = w * per
      const to = Math.min(count, from + per)
      return new Promise<string[]>((resolve, reject) => {
        const worker = new Worker(POOL_WORKER, {
          eval: true,
          workerData: { pkcs8, from, to, template, kid: KID },
        })
        worker.once('message', resolve)
        worker.once('error', reject)
      })
    }),
  )
  return parts.flat()
}

/** The worker's code: claims() with a unique jti per token, signed as signToken() does. */
const POOL_WORKER = `
const { createPrivateKey, sign } = require('node:crypto')
const { parentPort, workerData } = require('node:worker_threads')
const { pkcs8, from, to, template, kid } = workerData
const key = createPrivateKey({ key: Buffer.from(pkcs8, 'base64'), format: 'der', type: 'pkcs8' })
const header = Buffer.from(JSON.stringify({ alg: 'RS256', typ: 'JWT', kid })).toString('base64url')
const out = []
for (let i = from; i < to; i++) {
  const payload = Object.assign({}, template, { jti: 'pool-' + i })
  const input = header + '.' + Buffer.from(JSON.stringify(payload)).toString('base64url')
  out.push(input + '.' + sign('sha256', Buffer.from(input), key).toString('base64url'))
}
parentPort.postMessage(out)
`

/** A short fingerprint of the key, for the results file. */
export function keyFingerprint(): string {
  const file = join(CACHE_DIR, 'idp-key.json')
  if (!existsSync(file)) return 'none'
  return createHash('sha256').update(readFileSync(file)).digest('hex').slice(0, 12)
}
