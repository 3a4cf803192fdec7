/**
 * Precomputed Basic grants: for every clear-text user of a plain provider, everything a successful
 * Basic authentication produces that does not depend on the clock — the augmented user, the JWT
 * claims around `exp` and `iat`, the legacy header values — worked out once here by the same code
 * the request path runs (augment.ts, mint.ts, answers.ts). A request for such a user then costs a
 * header check, two SHA-256s, one HMAC and a few concatenations (src/auth/basic-express.ts), where
 * the full pipeline builds users, runs augmenters and serialises claims: on njs 0.7.9, which has no
 * shared dict to cache grants in, that is every request.
 *
 * Only what is certain to answer exactly as the full pipeline is precomputed; anything else is
 * left to it (the table, a username or a row is then absent, or the row has no password digest):
 * augmenters that are not static, logging at debug level (the full path logs each provider's
 * success), passwords stored in another form than clear text.
 */
import { augmentUser } from '../auth/augment'
import { claimsFromRow, expiryFromRow, passwordCheck } from '../auth/basic-express'
import { legacyHeaderValues } from '../auth/answers'
import { isPromise } from '../maybe-async'
import { mintClaims, upstreamExpiry } from '../jwt/mint'
import type { Platform } from '../platform'
import { newUser, User, userJson } from '../user'
import { createHash, createHmac } from 'node:crypto'
import type { BasicGrantRow, BasicGrants, CompiledConfig, CompiledPlainProvider } from './compiled'
import { KEY_PREFIX } from './compiled'
import { setOwn } from './paths'

/** Augmenter types that answer from the config alone, synchronously and the same every time. */
const STATIC_AUGMENTER_TYPES: { [type: string]: true } = { plain: true, plain_advanced: true }

/** An `iat` to check each template against the full serialisation with. */
const CHECK_NOW = 1_700_000_000

/**
 * KEY_PREFIX + username → one row per candidate (provider in config order, then the user's
 * entries in config order), or undefined when no Basic request can be answered this way.
 */
export function precomputeBasicGrants(config: Omit<CompiledConfig, 'configId' | 'basicGrants'>): BasicGrants | undefined {
  if (config.logLevel === 'debug' || config.logLevel === 'trace') return undefined
  const basic = config.providersByScheme.Basic
  if (basic.length === 0) return undefined
  const salt = createHmac('sha256', config.jwt.secret).update('authotron-njs basic password checks').digest('base64url')
  const table: { [prefixedUsername: string]: BasicGrantRow[] } = {}
  for (const index of basic) {
    const provider = config.providers[index]
    if (provider.type !== 'plain') return undefined
    const plain = provider as CompiledPlainProvider
    const staticRealm = realmIsStatic(config, plain.realm)
    for (const key of Object.keys(plain.users)) {
      if (!Object.hasOwn(table, key)) setOwn(table, key, [])
      for (const entry of plain.users[key]) {
        const password = entry.verifier.form === 'plain' && staticRealm ? entry.verifier.sha256 : undefined
        const user = newUser(key.slice(KEY_PREFIX.length), plain.realm, [...entry.roles])
        table[key].push(password === undefined ? unanswerableRow() : grantRow(config, user, salt, password))
      }
    }
  }
  return { salt, byUsername: table }
}

function realmIsStatic(config: Omit<CompiledConfig, 'configId' | 'basicGrants'>, realm: string): boolean {
  const plan = Object.hasOwn(config.augmenterPlans, KEY_PREFIX + realm) ? config.augmenterPlans[KEY_PREFIX + realm] : undefined
  if (plan === undefined) return true
  return [...plan.parallel, ...plan.serial].every((i) => STATIC_AUGMENTER_TYPES[config.augmenters[i].type] === true)
}

/** A row the request path must hand to the full pipeline when it reaches it. */
function unanswerableRow(): BasicGrantRow {
  return { passwordCheck: null, claimsHead: '', claimsTail: '', expCap: null, legacy: ['', '', ''], userJson: '' }
}

function grantRow(
  config: Omit<CompiledConfig, 'configId' | 'basicGrants'>,
  user: User,
  salt: string,
  passwordSha256Base64: string,
): BasicGrantRow {
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
    passwordCheck: passwordCheck(salt, Buffer.from(passwordSha256Base64, 'base64').toString('base64url'), NODE_SHA256),
    claimsHead,
    claimsTail,
    expCap: cap === undefined ? null : cap,
    legacy: legacyHeaderValues(augmented),
    userJson: userJson(augmented),
  }
  // The template must serialise exactly as mint.ts does; this holds by construction, and is checked.
  const exp = expiryFromRow(row, config.jwt.exp, CHECK_NOW)
  if (claimsFromRow(row, exp, CHECK_NOW) !== mintClaims(augmented, config.jwt, CHECK_NOW)) {
    throw new Error(`precomputed claims of ${augmented.realm}-${augmented.username} differ from the minted ones`)
  }
  return row
}

const NODE_SHA256 = { sha256Base64url: (text: string) => createHash('sha256').update(text, 'utf8').digest('base64url') }

/** Static augmenters log nothing and touch no platform service; this one only proves it. */
const COMPILE_TIME_PLATFORM: Platform = new Proxy({} as Platform, {
  get(_target, name) {
    throw new Error(`a static augmenter used the platform's ${String(name)}`)
  },
})
