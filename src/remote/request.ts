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

export interface RemoteRequest {
  /** What identifies the answer (the token; for a POST, every credential in the body). */
  credential: string
  /** The upstream query string, already encoded (use `queryString`). */
  query?: string
  /** The request body (POST steps). */
  body?: string
}

/** The longest upstream answer a step reads: larger ones fail the call (`ERR_REMOTE_TOO_LARGE`). */
export const REMOTE_MAX_ANSWER_BYTES = 65536

/**
 * The upstream's answer to `request`. Rejects with ERR_REMOTE_UNAVAILABLE when no answer could be
 * had (upstream down, timed out, TLS refused, the location missing), ERR_REMOTE_TOO_LARGE when the
 * answer exceeds REMOTE_MAX_ANSWER_BYTES, ERR_RUNTIME_UNSUPPORTED without a remote caller. Any
 * HTTP status the upstream sent resolves: judging it is the provider's business.
 */
export function callRemote(platform: Platform, step: CompiledRemoteStep, request: RemoteRequest): Promise<RemoteAnswer> {
  const remote = platform.remote
  if (remote === undefined) {
    return Promise.reject(codedError(ErrorCode.RuntimeUnsupported, 'this runtime has no remote caller'))
  }
  if (step === undefined || typeof step.location !== 'string' || typeof step.keySalt !== 'string') {
    return Promise.reject(codedError(ErrorCode.ConfigFormat, 'remote step compiled by an older authotron: recompile the config'))
  }
  const key = remoteCacheKey(platform, step, request.credential)
  return remote.call({
    uri: step.location + '/' + key,
    method: step.method,
    query: request.query,
    body: request.body,
    maxBytes: REMOTE_MAX_ANSWER_BYTES,
  })
}

/** base64url(HMAC-SHA-256(keySalt, credential)): 43 characters, safe in a URI path. */
export function remoteCacheKey(platform: Platform, step: CompiledRemoteStep, credential: string): string {
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
