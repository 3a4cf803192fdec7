/**
 * The HTTP answers of the reference's routes (§7), as plain data. Only the boundary (src/njs/)
 * writes them to the nginx request.
 */
import type { CompiledConfig } from '../config/compiled'
import type { CompiledLdapAugmenter } from '../augmenters/ldap/compiled'
import { User, userJson } from '../user'

export interface HttpAnswer {
  status: number
  headers: [string, string][]
  body: string
}

/** Byte-exact, with the space after the colon (§7.2). */
export const UNAUTHORIZED_BODY = '{"error": "Unauthorized access"}'
export const AUTHENTICATED_BODY = 'Authenticated successfully'
export const HEALTH_BODY = 'OK'

/** Names each ldap augmenter's snapshot and its age on `/health` (docs/ldap.md). */
export const LDAP_SNAPSHOT_HEADER = 'X-Authotron-Ldap-Snapshot'

/**
 * `/health`: the reference's 200 `OK`, plus, where ldap augmenters exist, one header saying how old
 * each one's directory snapshot is, so that a monitor sees a sync that stopped (the body stays the
 * reference's, which health checks compare).
 */
export function health(config: CompiledConfig, nowMs: number): HttpAnswer {
  const snapshots: string[] = []
  const augmenters = config.augmenters
  for (let i = 0; i < augmenters.length; i++) {
    const augmenter = augmenters[i]
    if (augmenter.type !== 'ldap') continue
    const snapshot = (augmenter as CompiledLdapAugmenter).snapshot
    if (snapshot === null) {
      snapshots.push(headerSafe(augmenter.name) + '; none')
    } else {
      const ageSeconds = Math.max(0, Math.floor((nowMs - Date.parse(snapshot.takenAt)) / 1000))
      snapshots.push(headerSafe(augmenter.name) + '; taken_at=' + snapshot.takenAt + '; age=' + ageSeconds)
    }
  }
  return {
    status: 200,
    headers: snapshots.length === 0 ? [] : [[LDAP_SNAPSHOT_HEADER, snapshots.join(', ')]],
    body: HEALTH_BODY,
  }
}

export function unauthorized(config: CompiledConfig): HttpAnswer {
  return {
    status: 401,
    headers: [
      ['WWW-Authenticate', config.challenge],
      ['Content-Type', 'application/json'],
    ],
    body: UNAUTHORIZED_BODY,
  }
}

/**
 * X-Auth-Username, X-Auth-Realm and X-Auth-Roles (§2.10), safe to send: stripped of control
 * characters, on which the reference drops the connection and nginx would otherwise send them raw
 * (a CR/LF could split the response). The 200 itself is sent by src/njs/grant-answer.ts.
 */
export function legacyHeaderValues(user: User): [string, string, string] {
  return [headerSafe(user.username), headerSafe(user.realm), headerSafe(user.roles.join(','))]
}

export function whoami(user: User): HttpAnswer {
  return {
    status: 200,
    headers: [
      ['Content-Type', 'application/json'],
      ['Cache-Control', 'no-store'],
    ],
    body: userJson(user),
  }
}

export function jsonBody(body: string): HttpAnswer {
  return { status: 200, headers: [['Content-Type', 'application/json']], body }
}

/** How long verifiers may keep the JWK Set: a new previous key is seen within this time. */
export const JWKS_MAX_AGE_SECONDS = 300

/**
 * `GET /.well-known/jwks.json` (extension): the public keys minted tokens are verified with, as the
 * compiler wrote them (src/compiler/signing-key.ts). With HS256 there is no public key: 404, so a
 * verifier pointed here fails loudly instead of finding an empty set.
 */
export function jwksAnswer(config: CompiledConfig): HttpAnswer {
  const body = config.jwt.jwks
  if (body === undefined) return { status: 404, headers: [], body: '' }
  return {
    status: 200,
    headers: [
      ['Content-Type', 'application/jwk-set+json'],
      ['Cache-Control', 'public, max-age=' + JWKS_MAX_AGE_SECONDS],
    ],
    body,
  }
}

/** Below 0x20 except tab, and DEL: what HTTP forbids in a field value. */
const CONTROL_CHARACTERS = /[\x00-\x08\x0a-\x1f\x7f]/g

export function headerSafe(value: string): string {
  return value.replace(CONTROL_CHARACTERS, '')
}
