/**
 * Kept results (docs/remote.md, "Kept results"; CompiledRemoteMemo): what a provider made of
 * several remote calls, kept in nginx's remote cache for every worker, on every runtime (njs 0.7.9
 * included). The subrequest carries the token in its body only, its URI the cache key (an HMAC of
 * the token); the relay seals what is kept under a key derived from the token, as it seals the
 * calls' answers. Nothing here logs the token or a result; a failure only means "not kept".
 */
import type { Platform } from '../platform'
import type { CompiledRemoteMemo } from './compiled'
import { isSealed, keepRequest, openAnswer } from './relay'
import { remoteCacheKey } from './request'

/** What a kept result's subrequest may read: a sealed user of a few hundred bytes. */
const KEPT_MAX_BYTES = 65536

/** The result kept for `token`, or undefined (none, expired, unreadable, no remote caller). */
export function recallKept(platform: Platform, memo: CompiledRemoteMemo, token: string): Promise<string | undefined> {
  const remote = platform.remote
  const aead = platform.crypto.aead
  if (remote === undefined || aead === undefined) return Promise.resolve(undefined)
  return remote
    .call({ uri: memo.location + '/' + remoteCacheKey(platform, memo, token), method: 'POST', body: token, maxBytes: KEPT_MAX_BYTES })
    .then((answer) => {
      if (answer.status !== 200 || !isSealed(answer.body)) return undefined
      return openAnswer(aead, platform.crypto.hmacSha256Base64url, memo.sealSecret, token, answer.body)
    })
    .then(undefined, () => undefined)
}

/** Keeps `result` for `token` for `seconds` (at most the memo's ttl); never rejects. */
export function keepResult(platform: Platform, memo: CompiledRemoteMemo, token: string, result: string, seconds: number): Promise<void> {
  const remote = platform.remote
  const whole = Math.min(Math.floor(seconds), memo.ttl)
  if (remote === undefined || whole < 1) return Promise.resolve()
  return remote
    .call({
      uri: memo.location + '/' + remoteCacheKey(platform, memo, token),
      method: 'POST',
      body: keepRequest(token, whole, result),
      maxBytes: KEPT_MAX_BYTES,
    })
    .then(
      () => undefined,
      () => undefined,
    )
}
