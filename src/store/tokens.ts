/**
 * The token store (§7.5, §4.7, §9.2) as plain TypeScript over one small interface,
 * TokenStoreBackend, which src/njs/token-store.ts implements twice: the embedded shared dict
 * `authotron_tokens` and etcd's v3 JSON gateway. What this build changes against the reference
 * (docs/compatibility.md, "Token store"):
 * - GET /token answers the token that authenticates (the reference answers an unrelated UUID);
 * - a token expires `store.token_lifetime_in_s` after it was made (the reference's never do);
 * - only the SHA-256 of a token is stored (its id), never the token itself, so GET /tokens lists
 *   ids, and DELETE /token/{t} takes the token or its id;
 * - DELETE removes only the caller's own token: 404 for anyone else's (and for none at all), so
 *   that it tells nobody whether someone else's token exists;
 * - the stored user is the provider's identity before augmentation: the augmenters derive roles
 *   again on every use, so roles never double and a changed LDAP group shows on the next request.
 */
import { codedError, ErrorCode } from '../errors'
import { json, TOKEN_NOT_FOUND } from './answers'
import type { HttpAnswer } from '../auth/answers'
import type { User } from '../user'
import { userJson } from '../user'
import { looksLikeStoreToken } from './token-form'

/** One stored token: its id (SHA-256 of the token), its owner and the user it stands for. */
export interface StoredToken {
  id: string
  /** ownerOf(user): SHA-256 of realm and username. */
  owner: string
  user: User
  /** Unix seconds. */
  createdAt: number
  expiresAt: number
}

/** What GET /tokens shows of a token. */
export interface TokenListing {
  id: string
  createdAt: number
  expiresAt: number
}

/**
 * Where tokens live. Every method rejects with ERR_STORE_UNAVAILABLE when the store cannot answer
 * (etcd down, the zone full), ERR_STORE_UNSUPPORTED when this nginx cannot hold it; it never
 * answers a lookup it could not make (the token-store provider fails closed on a rejection).
 */
export interface TokenStoreBackend {
  /** Saves `token` until its expiresAt (the backend's own expiry: the dict's timeout, an etcd lease). */
  create(token: StoredToken): Promise<void>
  /** The token with this id, or undefined. */
  find(id: string): Promise<StoredToken | undefined>
  /** The owner's tokens (expired ones may still be listed until the backend drops them). */
  list(owner: string): Promise<TokenListing[]>
  /** Deletes the token with this id if `owner` owns it; resolves whether it did. */
  remove(id: string, owner: string): Promise<boolean>
}

/** What the token routes need of the platform. */
export interface TokenStoreAccess {
  backend: TokenStoreBackend
  sha256Base64url(text: string): string
  randomBytes(length: number): Uint8Array
  nowSeconds(): number
}

/** `store.token_lifetime_in_s` when absent: 30 days. */
export const DEFAULT_TOKEN_LIFETIME_SECONDS = 30 * 24 * 3600

/** The keys of both backends (etcd adds `store.prefix`). */
export function tokenKey(id: string): string {
  return 't/' + id
}
export function ownerPrefix(owner: string): string {
  return 'o/' + owner + '/'
}

/** A token's id: SHA-256, base64url without padding. */
const ID_FORM = /^[A-Za-z0-9_-]{43}$/

export function newToken(random: Uint8Array): string {
  let hex = ''
  for (let i = 0; i < 16; i++) {
    let byte = random[i]
    if (i === 6) byte = (byte & 0x0f) | 0x40
    else if (i === 8) byte = (byte & 0x3f) | 0x80
    hex += (byte < 16 ? '0' : '') + byte.toString(16)
  }
  return hex.slice(0, 8) + '-' + hex.slice(8, 12) + '-' + hex.slice(12, 16) + '-' + hex.slice(16, 20) + '-' + hex.slice(20)
}

export function ownerOf(user: User, sha256Base64url: (text: string) => string): string {
  return sha256Base64url(JSON.stringify([user.realm, user.username]))
}

/**
 * The user a token stands for: the provider's identity, before augmentation, without an `exp`
 * attribute (it caps minted tokens: a snapshot of a JWT login would otherwise mint tokens that
 * expire with that login, §4.7 "Stale snapshot").
 */
export function snapshotOf(user: User): User {
  const attributes: { [key: string]: string } = {}
  const names = Object.keys(user.attributes)
  for (let i = 0; i < names.length; i++) if (names[i] !== 'exp') attributes[names[i]] = user.attributes[names[i]]
  return JSON.parse(userJson({ ...user, attributes }))
}

/** GET /token: a new token for the authenticated (unaugmented) user; 200 `{"token":"<token>"}`. */
export function createToken(user: User, lifetimeSeconds: number, access: TokenStoreAccess): Promise<HttpAnswer> {
  const token = newToken(access.randomBytes(16))
  const now = access.nowSeconds()
  const stored: StoredToken = {
    id: access.sha256Base64url(token),
    owner: ownerOf(user, access.sha256Base64url),
    user: snapshotOf(user),
    createdAt: now,
    expiresAt: now + lifetimeSeconds,
  }
  return access.backend.create(stored).then(() => json(200, JSON.stringify({ token })))
}

/**
 * GET /tokens: the caller's tokens, by id (the store has no token to show), oldest first;
 * `{"tokens":[]}` for a user who has none (the reference answers 500 "User not found").
 */
export function listTokens(user: User, access: TokenStoreAccess): Promise<HttpAnswer> {
  const now = access.nowSeconds()
  return access.backend.list(ownerOf(user, access.sha256Base64url)).then((listed) => {
    const live: TokenListing[] = []
    for (let i = 0; i < listed.length; i++) if (listed[i].expiresAt > now) live.push(listed[i])
    live.sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1))
    const tokens = []
    for (let i = 0; i < live.length; i++) {
      tokens.push({
        version: 1,
        token_string: live[i].id,
        scopes: {},
        created_at: isoTime(live[i].createdAt),
        expires_at: isoTime(live[i].expiresAt),
      })
    }
    return json(200, JSON.stringify({ tokens }))
  })
}

/** DELETE /token/{t}: `t` is the token or its id; 204 when it was the caller's, else 404. */
export function deleteToken(user: User, segment: string, access: TokenStoreAccess): Promise<HttpAnswer> {
  const id = looksLikeStoreToken(segment) ? access.sha256Base64url(segment) : ID_FORM.test(segment) ? segment : undefined
  if (id === undefined) return Promise.resolve(TOKEN_NOT_FOUND)
  return access.backend
    .remove(id, ownerOf(user, access.sha256Base64url))
    .then((removed) => (removed ? { status: 204, headers: [], body: '' } : TOKEN_NOT_FOUND))
}

/**
 * The token-store provider's lookup (§4.7): the stored user of an unexpired token, or
 * ERR_STORE_TOKEN_NOT_FOUND. A store that cannot answer rejects: never a user.
 */
export function findStoredUser(credential: string, access: TokenStoreAccess): Promise<User> {
  if (!looksLikeStoreToken(credential)) {
    return Promise.reject(codedError(ErrorCode.StoreTokenNotFound, 'Token not found'))
  }
  const now = access.nowSeconds()
  return access.backend.find(access.sha256Base64url(credential)).then((stored) => {
    if (stored === undefined || !(stored.expiresAt > now)) {
      throw codedError(ErrorCode.StoreTokenNotFound, 'Token not found')
    }
    return stored.user
  })
}

function isoTime(seconds: number): string {
  return new Date(seconds * 1000).toISOString().replace('.000Z', 'Z')
}

/** A stored token as both backends write it: compact JSON, the user in the reference's key order. */
export function encodeStoredToken(token: StoredToken): string {
  return '{"v":1,"o":' + JSON.stringify(token.owner) + ',"c":' + token.createdAt + ',"e":' + token.expiresAt + ',"u":' + userJson(token.user) + '}'
}

export function decodeStoredToken(id: string, text: string): StoredToken {
  const value = JSON.parse(text)
  if (value === null || typeof value !== 'object' || typeof value.o !== 'string' || typeof value.e !== 'number' || value.u === null || typeof value.u !== 'object') {
    throw codedError(ErrorCode.StoreUnavailable, 'a stored token is unreadable')
  }
  return { id, owner: value.o, user: value.u, createdAt: value.c, expiresAt: value.e }
}

/** The owner index entry's value (both backends): what GET /tokens shows without reading each token. */
export function encodeListing(token: StoredToken): string {
  return '{"c":' + token.createdAt + ',"e":' + token.expiresAt + '}'
}

export function decodeListing(id: string, text: string): TokenListing | undefined {
  try {
    const value = JSON.parse(text)
    return { id, createdAt: value.c, expiresAt: value.e }
  } catch (e) {
    return undefined
  }
}
