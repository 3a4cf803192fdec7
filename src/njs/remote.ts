/**
 * Remote services through nginx (src/platform.ts RemoteCaller): a subrequest to the internal
 * location `authotron compile --nginx-snippets` generated for the step (src/remote/nginx-snippets.ts,
 * docs/remote.md). That location answers from `proxy_cache` (shared by every worker, on every
 * runtime) or proxies to the upstream, one request per cache key at a time (`proxy_cache_lock`),
 * within the step's timeout, through the relay (hop 2, src/remote/relay.ts). The last path segment
 * of the URI is the cache key (an HMAC of the credential); the body is the relay's envelope, and
 * the relay's X-Authotron-Failure header comes back as `failure`.
 */
import { codedError, ErrorCode } from '../errors'
import type { RemoteAnswer, RemoteCall, RemoteCaller } from '../platform'
import { FAILURE_HEADER, SEALED_AT_HEADER } from '../remote/relay'

export function njsRemoteCaller(r: NginxHTTPRequest): RemoteCaller {
  return {
    call(call: RemoteCall): Promise<RemoteAnswer> {
      const options: NginxSubrequestOptions = { method: call.method }
      if (call.query !== undefined) options.args = call.query
      if (call.body !== undefined) options.body = call.body
      let pending: Promise<NginxHTTPRequest>
      try {
        pending = r.subrequest(call.uri, options)
      } catch (e) {
        return Promise.reject(unavailable('subrequest failed: ' + String(e)))
      }
      return pending.then(
        (reply) => answer(call, reply),
        (e) => {
          throw unavailable('subrequest failed: ' + String(e))
        },
      )
    },
  }
}

function answer(call: RemoteCall, reply: NginxHTTPRequest): RemoteAnswer {
  const body = reply.responseText || ''
  if (body.length > call.maxBytes) {
    throw codedError(ErrorCode.RemoteTooLarge, 'Error reading response body: more than ' + call.maxBytes + ' bytes')
  }
  const failure = reply.status >= 500 ? reply.headersOut[FAILURE_HEADER] : undefined
  if (typeof failure === 'string') return { status: reply.status, body, failure }
  const sealedAt = reply.headersOut[SEALED_AT_HEADER]
  return typeof sealedAt === 'string' ? { status: reply.status, body, sealedAt: Number(sealedAt) } : { status: reply.status, body }
}

function unavailable(reason: string) {
  return codedError(ErrorCode.RemoteUnavailable, 'Error sending request: ' + reason)
}
