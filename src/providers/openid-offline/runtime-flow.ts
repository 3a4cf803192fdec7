/**
 * What openid-offline (§4.5) and ecmwf-token-generator (§4.6) have in common: a refresh/offline
 * token is (1) validated by a remote service, (2) exchanged for an access token, and (3) that access
 * token is verified exactly as the jwt provider verifies a token (src/providers/jwt/runtime.ts,
 * called, not copied), with `cert_uri` and this provider's name and realm.
 *
 * The remote answers are cached by nginx for every worker (the calls' locations), keyed by a hash
 * of the token, never the token. A "not valid" answer outlives `invalidTtl` only in the cache of
 * the first call, whose lifetime is a valid answer's: when it comes from that cache, the recheck
 * call asks again through a cache that keeps any answer `invalidTtl` seconds at most.
 *
 * Error texts are the reference's (Appendix A); none holds the token or an answer's text.
 */
import { codedError, errorCode, ErrorCode, type ErrorCodeValue } from '../../errors'
import type { User } from '../../user'
import { decodeClaims, parseCompactJws } from '../../jwt/jws'
import { jwtProvider } from '../jwt/runtime'
import type { CompiledJwtProvider } from '../jwt/compiled'
import type { ProviderContext } from '../types'

/** One answer of a remote call. */
export interface RemoteReply {
  status: number
  body: string
  /** Served from nginx's cache (true) or just fetched (false); undefined: not known. */
  cached?: boolean
  /**
   * Unix ms after which the cache no longer serves this answer (when it was sealed plus its
   * step's lifetime); undefined: not known, and then nothing made of it is kept.
   */
  expires?: number
}

export interface RefreshTokenCalls {
  /** The validation call (introspection); `recheck`: through the short-lived cache of "not valid". */
  validate(recheck: boolean): Promise<RemoteReply>
  /** The exchange call (refresh-token grant). */
  exchange(): Promise<RemoteReply>
  /**
   * Where the flow's result is kept for every worker (src/remote/memo.ts); absent: every request
   * runs the calls (answered from their caches) and verifies the access token.
   */
  kept?: KeptResults
}

/** A kept result of the flow: `recall` the one kept for this token, or `keep` one for `seconds`. */
export interface KeptResults {
  recall(): Promise<string | undefined>
  keep(result: string, seconds: number): Promise<void>
}

/** What is kept: the user the flow made, and until when (Unix ms) it may be reused. */
interface KeptUser {
  user: User
  until: number
}

/** The reference's texts for one provider type (Appendix A). */
export interface FlowTexts {
  /** Prefix of a failed validation call (the layer's code and reason follow). */
  validateCall: string
  validateJson: string
  notValid: string
  exchangeCall: string
  exchangeJson: string
  noAccessToken: string
  /** Is the parsed validation answer a yes? */
  isValid(answer: { [key: string]: unknown }): boolean
}

/**
 * The user of a refresh token: the one kept for it (a kept result still within its lifetime), else
 * the three steps, whose result is then kept for as long as every answer it is made of would
 * still be served from its cache and the access token is not expired: a kept result never outlives
 * what the steps would have seen, so a revoked token stops working when it would without it.
 */
export function refreshTokenFlow(
  calls: RefreshTokenCalls,
  texts: FlowTexts,
  validator: CompiledJwtProvider,
  ctx: ProviderContext,
): Promise<User> {
  const kept = calls.kept
  if (kept === undefined) return verifiedFlow(calls, texts, validator, ctx).then((result) => result.user)
  const clock = ctx.platform.clock
  return kept.recall().then((text) => {
    const recalled = keptUser(text, clock.nowMilliseconds())
    if (recalled !== undefined) return recalled
    return verifiedFlow(calls, texts, validator, ctx).then((result) => {
      const seconds = (result.until - clock.nowMilliseconds()) / 1000
      const stored: KeptUser = { user: result.user, until: result.until }
      return kept.keep(JSON.stringify(stored), seconds).then(() => result.user)
    })
  })
}

/** Validation, exchange, the access token verified: the user, and how long the result holds. */
function verifiedFlow(
  calls: RefreshTokenCalls,
  texts: FlowTexts,
  validator: CompiledJwtProvider,
  ctx: ProviderContext,
): Promise<KeptUser> {
  const validate = (recheck: boolean) => calls.validate(recheck).then(undefined, (e) => rethrow(e, texts.validateCall))
  let until = Infinity
  const within = (reply: RemoteReply) => {
    until = Math.min(until, reply.expires === undefined ? 0 : reply.expires)
  }
  return validate(false)
    .then((reply) => {
      if (judge(reply, texts)) return reply
      if (reply.cached === false) return undefined
      // A cached "no" may be older than invalidTtl: ask past it.
      return validate(true).then((fresh) => (judge(fresh, texts) ? fresh : undefined))
    })
    .then((valid) => {
      if (valid === undefined) throw codedError(ErrorCode.RemoteInvalidCredential, texts.notValid)
      within(valid)
      return calls.exchange().then(undefined, (e) => rethrow(e, texts.exchangeCall))
    })
    .then((reply) => {
      const answer = parseObject(reply.body, texts.exchangeJson)
      const accessToken = answer.access_token
      if (typeof accessToken !== 'string') throw codedError(ErrorCode.TokenExchangeFailed, texts.noAccessToken)
      within(reply)
      return Promise.resolve(jwtProvider.authenticate(validator, accessToken, ctx)).then((user) => {
        // Verified just now: its `exp` (when it has one) bounds how long the user may be kept.
        const exp = decodeClaims(parseCompactJws(accessToken)).exp
        if (typeof exp === 'number') until = Math.min(until, exp * 1000)
        return { user, until }
      })
    })
}

/** The user of a kept result still within its lifetime, else undefined. */
function keptUser(text: string | undefined, now: number): User | undefined {
  if (text === undefined) return undefined
  try {
    const kept = JSON.parse(text) as KeptUser
    if (typeof kept.until === 'number' && kept.until > now && kept.user !== null && typeof kept.user === 'object') return kept.user
  } catch (e) {
    // Not ours: as if nothing were kept.
  }
  return undefined
}

/** The call's failure with the reference's prefix, its code kept (ERR_REMOTE_UNAVAILABLE, …). */
function rethrow(error: unknown, prefix: string): never {
  const code = errorCode(error)
  const reason = error instanceof Error ? error.message : String(error)
  throw codedError((code || ErrorCode.RemoteUnavailable) as ErrorCodeValue, prefix + ': ' + reason)
}

function judge(reply: RemoteReply, texts: FlowTexts): boolean {
  return texts.isValid(parseObject(reply.body, texts.validateJson))
}

/**
 * The answer's JSON object. The status is not looked at (the reference does not either): what the
 * body says decides. A parser's message could quote the body, so it is not passed on.
 */
function parseObject(body: string, what: string): { [key: string]: unknown } {
  let parsed: unknown
  try {
    parsed = JSON.parse(body)
  } catch (e) {
    throw codedError(ErrorCode.RemoteMalformed, what + ': not JSON')
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw codedError(ErrorCode.RemoteMalformed, what + ': not a JSON object')
  }
  return parsed as { [key: string]: unknown }
}

/** application/x-www-form-urlencoded value (every decoder reads percent-encoding). */
export function formValue(text: string): string {
  return encodeURIComponent(text)
}
