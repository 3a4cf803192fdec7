/**
 * Verified claims → User, exactly as the reference's jwt provider (§4.2 steps 9–10):
 *   roles      realm_access.roles, then entitlements, then resource_access.<client>.roles for every
 *              client in the token's key order — concatenated, no de-duplication;
 *   username   preferred_username when it is a string, else sub;
 *   attributes every other claim, as a string, with control characters (Unicode Cc) removed;
 *   scopes     { <provider name>: the scope claim split on whitespace }.
 * Recorded deviation: `scope` may be absent (→ no scopes); the reference rejects such tokens.
 */
import { codedError, ErrorCode } from '../errors'
import { USER_PAYLOAD_VERSION, User } from '../user'
import type { Claims } from './jws'

/** Claims the mapping consumes; every other claim becomes an attribute. */
const MAPPED_CLAIMS: { [claim: string]: true } = {
  sub: true,
  scope: true,
  realm_access: true,
  resource_access: true,
  entitlements: true,
}

/** Unicode category Cc: C0 controls, DEL, C1 controls. */
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f]/g

/**
 * Rust's `char::is_whitespace` (Unicode White_Space), which `split_whitespace` splits on. A char
 * loop, not `split(regex)`: njs runs a regex split as one regex execution per character.
 */
function isWhitespace(code: number): boolean {
  if (code <= 0x20) return code === 0x20 || (code >= 0x09 && code <= 0x0d)
  if (code < 0x85) return false
  return (
    code === 0x85 || code === 0xa0 || code === 0x1680 || (code >= 0x2000 && code <= 0x200a) ||
    code === 0x2028 || code === 0x2029 || code === 0x202f || code === 0x205f || code === 0x3000
  )
}

export function userFromClaims(claims: Claims, providerName: string, realm: string): User {
  // Step 9: the claims the mapping needs, with the reference's shape checks.
  const sub = claims.sub
  if (typeof sub !== 'string') throw invalid('sub', 'a string')
  const scope = claims.scope
  if (scope !== undefined && typeof scope !== 'string') throw invalid('scope', 'a string')

  const roles: string[] = []
  const realmAccess = claims.realm_access
  if (realmAccess !== undefined && realmAccess !== null) {
    appendRoleList(roles, rolesOf(realmAccess, 'realm_access'), 'realm_access.roles')
  }
  const entitlements = claims.entitlements
  if (entitlements !== undefined && entitlements !== null) appendRoleList(roles, entitlements, 'entitlements')
  const resourceAccess = claims.resource_access
  if (resourceAccess !== undefined && resourceAccess !== null) {
    if (!isObject(resourceAccess)) throw invalid('resource_access', 'an object')
    const clients = Object.keys(resourceAccess)
    for (let i = 0; i < clients.length; i++) {
      const path = 'resource_access.' + clients[i]
      appendRoleList(roles, rolesOf(resourceAccess[clients[i]], path), path + '.roles')
    }
  }

  // Step 10.
  const preferred = claims.preferred_username
  const scopes: { [provider: string]: string[] } = {}
  defineEntry(scopes, providerName, scope === undefined ? [] : splitWhitespace(scope))
  return {
    version: USER_PAYLOAD_VERSION,
    username: typeof preferred === 'string' ? preferred : sub,
    realm,
    roles,
    attributes: attributesOf(claims),
    scopes,
  }
}

/** Every claim the mapping did not consume, as text without control characters. */
export function attributesOf(claims: Claims): { [key: string]: string } {
  const attributes: { [key: string]: string } = {}
  const names = Object.keys(claims)
  for (let i = 0; i < names.length; i++) {
    if (MAPPED_CLAIMS[names[i]] === true) continue
    defineEntry(attributes, names[i], attributeText(claims[names[i]]))
  }
  return attributes
}

/** A string as it is; anything else as its compact JSON text (numbers, true/false, null, {…}, […]). */
export function attributeText(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value)
  return text.replace(CONTROL_CHARACTERS, '')
}

/** Any White_Space character but the plain space (isWhitespace's set, as a pattern). */
const WHITESPACE_BUT_SPACE = /[\t\n\v\f\r\u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]/

export function splitWhitespace(text: string): string[] {
  // Scopes are almost always words and single spaces: split natively then (a char loop costs the
  // njs engine ~1,500 instructions a character).
  if (!WHITESPACE_BUT_SPACE.test(text)) {
    const parts = text.split(' ')
    const nonEmpty: string[] = []
    for (let i = 0; i < parts.length; i++) if (parts[i] !== '') nonEmpty.push(parts[i])
    return nonEmpty
  }
  const words: string[] = []
  let start = -1
  for (let i = 0; i < text.length; i++) {
    if (isWhitespace(text.charCodeAt(i))) {
      if (start !== -1) words.push(text.slice(start, i))
      start = -1
    } else if (start === -1) start = i
  }
  if (start !== -1) words.push(text.slice(start))
  return words
}

/** `{ "roles": [string] }` is required wherever roles are read. */
function rolesOf(container: unknown, path: string): unknown {
  if (!isObject(container)) throw invalid(path, 'an object with "roles"')
  if (container.roles === undefined) throw invalid(path + '.roles', 'present')
  return container.roles
}

function appendRoleList(roles: string[], list: unknown, path: string) {
  if (!Array.isArray(list)) throw invalid(path, 'an array of strings')
  for (let i = 0; i < list.length; i++) {
    if (typeof list[i] !== 'string') throw invalid(path, 'an array of strings')
    roles.push(list[i])
  }
}

/**
 * An own data property even for `__proto__` (claim names come from the token), the one name a
 * plain assignment would not store: it sets the prototype instead. Every other name is assigned,
 * which costs the njs engine a fraction of defineProperty's descriptor object.
 */
function defineEntry<T>(target: { [key: string]: T }, key: string, value: T) {
  if (key !== '__proto__') target[key] = value
  else Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true })
}

function isObject(value: unknown): value is { [key: string]: unknown } {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
}

function invalid(claim: string, expected: string) {
  return codedError(ErrorCode.JwtClaimInvalid, 'Failed to decode JWT: claim ' + claim + ' must be ' + expected)
}
