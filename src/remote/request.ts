/**
 * The runtime side of the remote-call layer (docs/remote.md): a provider unit asks
 * `callRemote(platform, step, request)` and gets the upstream's status and body. The call goes
 * through `platform.remote` (src/njs/remote.ts: a subrequest to the step's internal location,
 * which nginx answers from `proxy_cache` or by proxying to the upstream), so every policy that
 * must hold across workers — the cache, its lifetimes, coalescing concurrent misses, timeouts,
 * TLS, DNS — is nginx configuration generated from the step (src/remote/nginx-snippets.ts) and
 * holds on every runtime, njs 0.7.9 included.
 *
 * The credential never leaves as anything but the query or body the upstream needs: the cache key
 * is an HMAC of it (never the credential), and nothing here logs it.
 */
import { codedError, ErrorCode } from '../errors'
import type { Platform, RemoteAnswer } from '../platform'
import type { CompiledRemoteStep } from './compiled'
import { isSealed, openAnswer, relayEnvelope } from './relay'

export interface RemoteRequest {
  /** What identifies the answer (the token; for a POST, every credential in the body). */
  credential: string
  /** The upstream query string, already encoded (use `queryString`). */
  query?: string
  /** The request body (POST steps). */
  body?: string
  /** The provider's name, for the log line of a failed call. */
  provider?: string
}

/** The longest upstream answer a step reads: larger ones fail the call. */
export const REMOTE_MAX_ANSWER_BYTES = 65536
/** What hop 1 may pass on: a sealed answer of REMOTE_MAX_ANSWER_BYTES (src/remote/nginx-snippets.ts). */
const SEALED_MAX_BYTES = 131072

/**
 * The upstream's answer to `request`, through hop 1 (cache) and the relay (docs/remote.md). Rejects
 * with ERR_REMOTE_UNAVAILABLE when no answer could be had (upstream down, timed out, TLS refused),
 * ERR_REMOTE_TOO_LARGE when the answer exceeds REMOTE_MAX_ANSWER_BYTES, ERR_RUNTIME_UNSUPPORTED
 * without a remote caller. Any HTTP status the upstream sent resolves: judging it is the
 * provider's business. Every failure without an answer of the service is logged once at `warn`
 * (the URL without its query, status, reason; never the credential): nginx's own lines about the
 * call are in the relay server's log, which is off.
 */
export function callRemote(platform: Platform, step: CompiledRemoteStep, request: RemoteRequest): Promise<RemoteAnswer> {
  const remote = platform.remote
  const aead = platform.crypto.aead
  if (remote === undefined || aead === undefined) {
    return Promise.reject(codedError(ErrorCode.RuntimeUnsupported, 'this runtime has no remote caller'))
  }
  if (step === undefined || typeof step.location !== 'string' || typeof step.sealSecret !== 'string') {
    return Promise.reject(codedError(ErrorCode.ConfigFormat, 'remote step compiled by an older authotron: recompile the config'))
  }
  const key = remoteCacheKey(platform, step, request.credential)
  const envelope = relayEnvelope(request.query, request.body)
  return remote
    .call({ uri: step.location + '/' + key, method: 'POST', body: envelope, maxBytes: SEALED_MAX_BYTES })
    .then((answer) => {
      if (answer.failure !== undefined) {
        const tooLarge = answer.failure === 'too-large'
        const reason =
          answer.failure === 'timeout'
            ? 'the service did not answer in time'
            : tooLarge
              ? 'the answer is larger than ' + REMOTE_MAX_ANSWER_BYTES + ' bytes'
              : answer.failure === 'unresolved'
                ? 'the service host name did not resolve (resolver)'
                : 'the service could not be reached (refused, reset, or TLS failure: certificate not trusted or not for this host)'
        logFailure(platform, step, request, answer.status, reason)
        if (tooLarge) throw codedError(ErrorCode.RemoteTooLarge, 'Error reading response body: ' + reason)
        throw codedError(ErrorCode.RemoteUnavailable, 'Error sending request: ' + reason)
      }
      if (!isSealed(answer.body)) {
        // Not the relay's answer: hop 1's own (404 without the locations, 502 when the relay
        // closed the connection: an answer above the limit, or the relay down).
        logFailure(
          platform,
          step,
          request,
          answer.status,
          answer.status === 502
            ? 'the relay closed the connection (an answer above ' + REMOTE_MAX_ANSWER_BYTES + ' bytes, or the relay is down)'
            : answer.status === 504
              ? 'the relay did not answer in time'
              : 'no answer of the relay (are the generated snippets included?)',
        )
        if (answer.status === 502 || answer.status === 504) {
          throw codedError(ErrorCode.RemoteUnavailable, 'Error sending request: no answer of the relay')
        }
        return { status: answer.status, body: '' }
      }
      return openAnswer(aead, platform.crypto.hmacSha256Base64url, step.sealSecret, envelope, answer.body).then(
        (body) => {
          if (body.length > REMOTE_MAX_ANSWER_BYTES) {
            throw codedError(ErrorCode.RemoteTooLarge, 'Error reading response body: more than ' + REMOTE_MAX_ANSWER_BYTES + ' bytes')
          }
          // The service's own failure: visible at `warn` too (its body is never logged).
          if (answer.status >= 500) logFailure(platform, step, request, answer.status, 'the service answered ' + answer.status)
          return answer.sealedAt === undefined ? { status: answer.status, body } : { status: answer.status, body, sealedAt: answer.sealedAt }
        },
        () => {
          logFailure(platform, step, request, answer.status, 'the sealed answer does not open (another secret, or altered)')
          throw codedError(ErrorCode.RemoteUnavailable, 'Error reading response body: the sealed answer does not open')
        },
      )
    })
}

function logFailure(platform: Platform, step: CompiledRemoteStep, request: RemoteRequest, status: number, reason: string): void {
  platform.logger.log('warn', 'remote.call.failed', { provider: request.provider ?? '', url: step.url, status, reason })
}

/** base64url(HMAC-SHA-256(keySalt, credential)): 43 characters, safe in a URI path. */
export function remoteCacheKey(platform: Platform, step: { keySalt: string }, credential: string): string {
  return platform.crypto.hmacSha256Base64url(step.keySalt, credential)
}

/**
 * `name=value&…` with every name and value percent-encoded (RFC 3986 unreserved characters kept),
 * so a token holding `&`, `#`, `+`, `%` or spaces reaches the upstream as it was sent (the
 * reference inserts it verbatim, §4.3).
 */
export function queryString(params: { [name: string]: string }): string {
  const names = Object.keys(params)
  let text = ''
  for (let i = 0; i < names.length; i++) {
    if (i > 0) text += '&'
    text += encodeURIComponent(names[i]) + '=' + encodeURIComponent(params[names[i]])
  }
  return text
}

/** The body of a 2xx answer as JSON, or ERR_REMOTE_MALFORMED ("Error parsing JSON", Appendix A). */
export function jsonBody(answer: RemoteAnswer): unknown {
  try {
    return JSON.parse(answer.body)
  } catch (e) {
    throw codedError(ErrorCode.RemoteMalformed, 'Error parsing JSON: the answer (' + answer.body.length + ' bytes) is not JSON')
  }
}

/** True for 2xx. */
export function isSuccess(status: number): boolean {
  return status >= 200 && status < 300
}
