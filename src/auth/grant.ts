/**
 * A grant is what a successful authentication produces: the user and the token minted for it.
 * Where the runtime has a shared dict, grants are cached across workers per credential, so a
 * client reusing its credential costs one hash and one lookup instead of the whole pipeline.
 *
 * Cache safety: the key is a SHA-256 of the config id, the realm filter and the Authorization
 * header — never the raw credential — so a reload with another config never reuses an answer and
 * a grant for one realm filter is never served for another. An entry lives at most
 * `grantCacheTtlMs` and never past the minted token's own `exp`. Failures are never cached.
 */
import type { CompiledConfig } from '../config/compiled'
import { mint } from '../jwt/mint'
import { MaybePromise, whenReady } from '../maybe-async'
import type { Platform, SharedStore } from '../platform'
import type { User } from '../user'
import { AuthInput, authenticate } from './pipeline'

export interface Grant {
  user: User
  token: string
  /** The token's `exp` (Unix seconds). */
  expiresAt: number
}

export const DEFAULT_GRANT_CACHE_TTL_MS = 30_000

interface StoredGrant {
  user: User
  token: string
  expiresAt: number
  /** When this cache entry stops being served (Unix seconds). */
  cachedUntil: number
}

export function obtainGrant(input: AuthInput, config: CompiledConfig, platform: Platform): MaybePromise<Grant> {
  const store = platform.sharedCache
  const ttlMs = config.grantCacheTtlMs === undefined ? DEFAULT_GRANT_CACHE_TTL_MS : config.grantCacheTtlMs
  const now = platform.clock.nowSeconds()
  let key: string | undefined
  if (store !== undefined && ttlMs > 0 && input.authorization !== undefined) {
    key = grantKey(config.configId, input, platform)
    const cached = readGrant(store, key, now)
    if (cached !== undefined) return cached
  }
  return whenReady(authenticate(input, config, platform), (user) => {
    const minted = mint(user, config.jwt, now, platform.crypto)
    const grant: Grant = { user, token: minted.token, expiresAt: minted.expiresAt }
    if (store !== undefined && key !== undefined) storeGrant(store, key, grant, now, ttlMs, platform)
    return grant
  })
}

export function grantKey(configId: string, input: AuthInput, platform: Platform): string {
  // A realm header that is absent and one that is empty filter differently: keep them apart.
  const realmPart = input.realm === undefined ? '-' : '+' + input.realm
  const material = configId + '\n' + realmPart + '\n' + (input.authorization || '')
  const digest = platform.crypto.digest('sha256', [Buffer.from(material, 'utf8')])
  return 'grant:' + Buffer.from(digest).toString('base64url')
}

function readGrant(store: SharedStore, key: string, now: number): Grant | undefined {
  const text = store.get(key)
  if (text === undefined) return undefined
  let stored: StoredGrant
  try {
    stored = JSON.parse(text) as StoredGrant
  } catch (e) {
    return undefined
  }
  if (!(stored.cachedUntil > now)) return undefined
  return { user: stored.user, token: stored.token, expiresAt: stored.expiresAt }
}

function storeGrant(store: SharedStore, key: string, grant: Grant, now: number, ttlMs: number, platform: Platform) {
  const cachedUntil = Math.min(now + Math.floor(ttlMs / 1000), grant.expiresAt)
  if (cachedUntil <= now) return
  const stored: StoredGrant = { user: grant.user, token: grant.token, expiresAt: grant.expiresAt, cachedUntil }
  try {
    store.set(key, JSON.stringify(stored), (cachedUntil - now) * 1000)
  } catch (e) {
    // A full shared dict only costs the next request a full authentication.
    platform.logger.log('warn', 'cache.grant.store_failed', { reason: e instanceof Error ? e.message : String(e) })
  }
}
