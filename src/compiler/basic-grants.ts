/**
 * Precomputed Basic grants: for every clear-text user of a plain provider, everything a successful
 * Basic authentication produces that does not depend on the clock — the augmented user, the JWT
 * claims around `exp` and `iat`, the legacy header values — worked out once here by the same code
 * the request path runs (augment.ts, mint.ts, answers.ts), and filed under a salted digest of the
 * whole `Authorization: Basic …` value that authenticates as that user. A request for such a user
 * then costs one SHA-256, one lookup, one HMAC and a few concatenations
 * (src/auth/precomputed-basic.ts): no base64 or UTF-8 decoding, no per-password hash, where the full
 * pipeline builds users, runs augmenters and serialises claims. On njs 0.7.9, which has no shared
 * dict to cache grants in, that is every request.
 *
 * Only what is certain to answer exactly as the full pipeline is precomputed; any other credential
 * is absent from the table and left to it: augmenters that are not static, logging at debug level
 * (the full path logs each provider's success), passwords stored in another form than clear text,
 * and every credential the full pipeline could answer otherwise (see precomputeBasicGrants).
 */
import { augmentUser } from '../auth/augment'
import { claimsFromRow, credentialCheck, expiryFromRow } from '../auth/precomputed-basic'
import { legacyHeaderValues } from '../auth/answers'
import { isPromise } from '../maybe-async'
import { mintClaims, upstreamExpiry } from '../jwt/mint'
import type { Platform } from '../platform'
import { newUser, User, userJson } from '../user'
import { createHash, createHmac } from 'node:crypto'
import type { BasicGrantRow, CompiledConfig, PrecomputedBasic } from '../config/compiled'
import { KEY_PREFIX } from '../config/compiled'
import { setOwn } from './paths'
import type { PlainUser } from '../providers/plain/users'
import { augmenterCompiler } from './units'
import { ruleFacts, type NamedRules } from '../rules/access-rule'

/** An `iat` to check each template against the full serialisation with. */
const CHECK_NOW = 1_700_000_000

type CompiledContent = Omit<CompiledConfig, 'configId' | 'precomputedBasic'>

interface Candidate {
  realm: string
  user: PlainUser
}

/**
 * The table, or undefined when no Basic request can be answered this way. The full pipeline tries
 * the Basic providers in config order and each provider's entries for the username in order, and
 * the first whose password matches answers. So per username, in that order: a clear-text entry
 * answers its credential unless an earlier entry already did; an entry in a static realm gets a
 * row, one in a realm with other augmenters only claims its credential for the full pipeline; and
 * a hashed entry (whose password is unknown here) leaves every later entry of that username to the
 * full pipeline. Usernames with a colon are never filed: Basic splits at the first colon, so
 * their credential authenticates another username, if any.
 */
export function precomputeBasicGrants(
  config: CompiledContent,
  plainUsers: Map<number, PlainUser[]>,
  accessRules?: NamedRules,
): PrecomputedBasic | undefined {
  if (config.logLevel === 'debug' || config.logLevel === 'trace') return undefined
  // An asymmetric signature is WebCrypto's, asynchronous: such tokens take the full pipeline (then
  // the grant cache), and the salt below needs the HS256 secret.
  if (config.jwt.alg !== undefined || config.jwt.secret === undefined) return undefined
  const basic = config.providersByScheme.Basic
  if (basic.length === 0) return undefined
  const salt = createHmac('sha256', config.jwt.secret).update('authotron-njs basic credential checks').digest('base64url')
  const candidates: { [prefixedUsername: string]: Candidate[] } = {}
  for (const index of basic) {
    const provider = config.providers[index]
    if (provider.type !== 'plain') return undefined
    for (const user of plainUsers.get(index) ?? []) {
      const key = KEY_PREFIX + user.username
      if (!Object.hasOwn(candidates, key)) setOwn(candidates, key, [])
      candidates[key].push({ realm: provider.realm, user })
    }
  }
  const byCredential: { [credentialCheck: string]: BasicGrantRow } = {}
  const claimed: { [credentialCheck: string]: true } = {}
  for (const key of Object.keys(candidates)) {
    const username = key.slice(KEY_PREFIX.length)
    if (username === '' || username.includes(':')) continue
    for (const { realm, user } of candidates[key]) {
      if (user.clearText === undefined) break
      const authorization = 'Basic ' + Buffer.from(username + ':' + user.clearText, 'utf8').toString('base64')
      const check = credentialCheck(salt, authorization, NODE_SHA256)
      if (Object.hasOwn(claimed, check)) continue
      setOwn(claimed, check, true)
      if (realmIsStatic(config, realm)) setOwn(byCredential, check, grantRow(config, newUser(username, realm, [...user.roles]), accessRules))
    }
  }
  return { salt, byCredential }
}

function realmIsStatic(config: CompiledContent, realm: string): boolean {
  const plan = Object.hasOwn(config.augmenterPlans, KEY_PREFIX + realm) ? config.augmenterPlans[KEY_PREFIX + realm] : undefined
  if (plan === undefined) return true
  return [...plan.parallel, ...plan.serial].every((i) => {
    const augmenter = config.augmenters[i]
    const isStatic = augmenterCompiler(augmenter.type)?.static
    return isStatic === true || (typeof isStatic === 'function' && isStatic(augmenter))
  })
}

function grantRow(config: CompiledContent, user: User, accessRules: NamedRules | undefined): BasicGrantRow {
  const augmented = augmentUser(config as CompiledConfig, user, COMPILE_TIME_PLATFORM)
  if (isPromise(augmented)) throw new Error('a static augmenter answered asynchronously')
  const claimsHead = JSON.stringify({ sub: augmented.realm + '-' + augmented.username, iss: config.jwt.iss }).slice(0, -1) + ',"exp":'
  const claimsTail =
    ',' +
    JSON.stringify({
      roles: augmented.roles,
      username: augmented.username,
      scopes: augmented.scopes,
      realm: augmented.realm,
      attributes: augmented.attributes,
    }).slice(1)
  const cap = upstreamExpiry(augmented)
  const row: BasicGrantRow = {
    claimsHead,
    claimsTail,
    expCap: cap === undefined ? null : cap,
    legacy: legacyHeaderValues(augmented),
    userJson: userJson(augmented),
    ruleFacts: ruleFacts(augmented, accessRules),
  }
  // The template must serialise exactly as mint.ts does; this holds by construction, and is checked.
  const exp = expiryFromRow(row, config.jwt.exp, CHECK_NOW)
  if (claimsFromRow(row, exp, CHECK_NOW) !== mintClaims(augmented, config.jwt, CHECK_NOW)) {
    throw new Error(`precomputed claims of ${augmented.realm}-${augmented.username} differ from the minted ones`)
  }
  return row
}

const NODE_SHA256 = { sha256Base64url: (text: string) => createHash('sha256').update(text, 'utf8').digest('base64url') }

/**
 * Static augmenters log nothing and touch no platform service; this one only proves it. Metrics
 * are absent (the pipeline then records none): compiling is no request.
 */
const COMPILE_TIME_PLATFORM: Platform = new Proxy({} as Platform, {
  get(_target, name) {
    if (name === 'metrics') return undefined
    throw new Error(`a static augmenter used the platform's ${String(name)}`)
  },
})
