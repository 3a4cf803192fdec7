/**
 * hop 2 of a remote call (docs/remote.md, "Two hops"): `js_content authotron.remote.relay;` in the
 * loopback relay server that `authotron compile --nginx-snippets` writes into
 * authotron-remote-http.conf. It reads the envelope hop 1 sent (`<query>\n<body>`, src/remote/relay.ts),
 * asks the step's inner location (which alone puts the credential into a request to the service,
 * in a server whose logs are off), and answers the service's status with the body sealed, so that
 * hop 1's cache holds no readable credential. No config is needed: the step is in the URI, the
 * seal secret in a header hop 1 sets.
 *
 * When nginx got no answer of the service it answers 502/504 with X-Authotron-Failure. An answer
 * above the inner location's subrequest_output_buffer_size makes nginx end this request before it
 * answered: hop 1 sees the connection close (502), the client's request is never affected.
 */
import {
  FAILURE_HEADER,
  RELAY_LOCATION_PREFIX,
  RELAY_UPSTREAM_PREFIX,
  relayFailureOf,
  SEAL_HEADER,
  SEALED_AT_HEADER,
  sealAnswer,
  splitEnvelope,
  splitKeepRequest,
  withoutUnreadTokens,
} from '../remote/relay'
import { hmacSha256Base64url } from './hash'
import { njsAead } from './webcrypto'

export function relay(r: NginxHTTPRequest): void {
  const rest = r.uri.slice(RELAY_LOCATION_PREFIX.length)
  const id = rest.slice(0, rest.indexOf('/'))
  const text = (r as any).requestText
  const envelope = typeof text === 'string' ? text : ''
  const parts = splitEnvelope(envelope)
  const secret = r.headersIn[SEAL_HEADER]
  if (id === '' || parts === undefined || typeof secret !== 'string' || secret === '') {
    r.return(400, '')
    return
  }
  // The inner location sets the service's method; the subrequest's decides whether nginx may retry
  // on a fresh connection when a kept-alive one was closed under it (GET steps have no body).
  const options: NginxSubrequestOptions = parts.body === '' ? { method: 'GET' } : { method: 'POST', body: parts.body }
  if (parts.query !== '') options.args = parts.query
  let pending: Promise<NginxHTTPRequest>
  try {
    pending = r.subrequest(RELAY_UPSTREAM_PREFIX + id, options)
  } catch (e) {
    fail(r, 502, 'unreachable')
    return
  }
  pending
    .then((reply) => {
      const body = reply.responseText || ''
      const failure = reply.status === 502 || reply.status === 504 ? relayFailureOf(body) : undefined
      if (failure !== undefined) {
        fail(r, reply.status, failure)
        return
      }
      const status = reply.status
      const sealedAt = Date.now()
      return sealAnswer(njsAead, hmacSha256Base64url, secret, envelope, withoutUnreadTokens(body)).then((sealed) =>
        answerSealed(r, status, sealed, sealedAt),
      )
    })
    .then(undefined, () => fail(r, 502, 'unreachable'))
}

/**
 * `js_content authotron.remote.keep;`: the relay side of a kept result (CompiledRemoteMemo). A
 * probe (the token alone) is answered 204, which hop 1 never caches: a kept result is answered
 * from hop 1's cache and never reaches this. A result to keep is sealed under the token and
 * answered 200 with `X-Accel-Expires`: hop 1 keeps it that many seconds.
 */
export function keep(r: NginxHTTPRequest): void {
  const text = (r as any).requestText
  const secret = r.headersIn[SEAL_HEADER]
  if (typeof text !== 'string' || text === '' || typeof secret !== 'string' || secret === '') {
    r.return(400, '')
    return
  }
  const request = splitKeepRequest(text)
  if (request.result === undefined || request.seconds <= 0) {
    r.return(204, '')
    return
  }
  const seconds = request.seconds
  const sealedAt = Date.now()
  sealAnswer(njsAead, hmacSha256Base64url, secret, request.token, request.result)
    .then((sealed) => {
      r.headersOut['X-Accel-Expires'] = String(seconds)
      answerSealed(r, 200, sealed, sealedAt)
    })
    .then(undefined, () => r.return(500, ''))
}

function answerSealed(r: NginxHTTPRequest, status: number, sealed: string, sealedAt: number): void {
  r.status = status
  r.headersOut['Content-Type'] = 'text/plain'
  r.headersOut[SEALED_AT_HEADER] = String(sealedAt)
  r.sendHeader()
  r.send(sealed)
  r.finish()
}

function fail(r: NginxHTTPRequest, status: number, failure: string): void {
  r.headersOut[FAILURE_HEADER] = failure
  r.return(status, '')
}
