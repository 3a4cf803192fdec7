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
import { jwtProvider } from '../jwt/runtime'
import type { CompiledJwtProvider } from '../jwt/compiled'
import type { ProviderContext } from '../types'

/** One answer of a remote call. */
export interface RemoteReply {
  status: number
  body: string
  /** Served from nginx's cache (true) or just fetched (false); undefined: not known. */
  cached?: boolean
}

export interface RefreshTokenCalls {
  /** The validation call (introspection); `recheck`: through the short-lived cache of "not valid". */
  validate(recheck: boolean): Promise<RemoteReply>
  /** The exchange call (refresh-token grant). */
  exchange(): Promise<RemoteReply>
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

export function refreshTokenFlow(
  calls: RefreshTokenCalls,
  texts: FlowTexts,
  validator: CompiledJwtProvider,
  ctx: ProviderContext,
): Promise<User> {
  const validate = (recheck: boolean) => calls.validate(recheck).then(undefined, (e) => rethrow(e, texts.validateCall))
  return validate(false)
    .then((reply) => {
      if (judge(reply, texts)) return true
      if (reply.cached === false) return false
      // A cached "no" may be older than invalidTtl: ask past it.
      return validate(true).then((fresh) => judge(fresh, texts))
    })
    .then((valid) => {
      if (!valid) throw codedError(ErrorCode.RemoteInvalidCredential, texts.notValid)
      return calls.exchange().then(undefined, (e) => rethrow(e, texts.exchangeCall))
    })
    .then((reply) => {
      const answer = parseObject(reply.body, texts.exchangeJson)
      const accessToken = answer.access_token
      if (typeof accessToken !== 'string') throw codedError(ErrorCode.TokenExchangeFailed, texts.noAccessToken)
      return jwtProvider.authenticate(validator, accessToken, ctx)
    })
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
