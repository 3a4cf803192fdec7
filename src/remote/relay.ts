/**
 * The relay between the two hops of a remote call (docs/remote.md, "Two hops"): what hop 1 (the
 * cached internal location in the operator's servers) and hop 2 (the loopback relay server and its
 * njs handler, src/njs/remote-relay.ts) agree on. Shared by the caller (src/remote/request.ts) and
 * the relay handler; plain TypeScript, unit-tested under Node.
 *
 * - The credential never travels in a URI or a query between nginx locations: the caller's
 *   subrequest carries the **envelope** `<upstream query>\n<upstream body>` as its body; only the
 *   relay's inner location (whose server logs nothing) builds the service request holding it.
 * - The relay answers the service's status with the body **sealed**: AES-256-GCM under
 *   HMAC-SHA-256(seal secret, envelope), a fresh 96-bit IV per answer. hop 1 caches the sealed
 *   answer, so no cache file holds a readable credential (the token-generator and IAM exchange
 *   answers carry access and refresh tokens); opening it needs the credential and the secret.
 * - A call that got no answer from the service is the relay's own 502/504 with FAILURE_HEADER.
 */
import type { AeadCipher } from '../platform'

/** hop 1 → hop 2: the step's seal secret (a header of the generated hop-1 location). */
export const SEAL_HEADER = 'X-Authotron-Seal'
/**
 * hop 2 → hop 1: when the relay sealed the answer (Unix milliseconds), kept with it in the cache:
 * how old a cached answer is (a kept result lives no longer than the answers it is made of).
 */
export const SEALED_AT_HEADER = 'X-Authotron-Sealed-At'
/** hop 2 → hop 1: why the relay answers without the service's answer (`RelayFailure`). */
export const FAILURE_HEADER = 'X-Authotron-Failure'
/** The relay server's location of a step: `<prefix><step id>/<cache key>`. */
export const RELAY_LOCATION_PREFIX = '/_authotron/relay/'
/** The relay server's internal location that calls the service: `<prefix><step id>`. */
export const RELAY_UPSTREAM_PREFIX = '/_authotron/upstream/'
/** Body of the relay server's own error pages (nginx got no answer from the service). */
export const RELAY_FAILURE_PREFIX = 'authotron-relay-failed: '
/** What the seal secret of a step is derived from: HMAC-SHA-256(keySalt, SEAL_LABEL). */
export const SEAL_LABEL = 'authotron remote seal'
/** Sealed bodies start with this (version 1: AES-256-GCM, 12-byte IV). */
const SEALED_PREFIX = 'aot1.'
/** Where the ciphertext starts: the prefix, the IV (12 bytes: 16 base64url characters) and a dot. */
const SEALED_IV_END = SEALED_PREFIX.length + 16
const SEALED_TEXT_START = SEALED_IV_END + 1

/** Why the relay has no answer of the service. */
export type RelayFailure = 'timeout' | 'unreachable' | 'unresolved'

/**
 * What a kept result's subrequest carries to the relay (CompiledRemoteMemo): the token alone asks
 * for it (the relay answers 204, never cached: hop 1 answers a kept one from its cache), and
 * `<token>\n<seconds>\n<result>` hands one to keep that many seconds (the relay seals it under the
 * token, as it seals a call's answer under the call's envelope).
 */
export function keepRequest(token: string, seconds: number, result: string): string {
  return token + '\n' + seconds + '\n' + result
}

/** keepRequest's parts; `result` undefined for a probe (the token alone). */
export function splitKeepRequest(text: string): { token: string; seconds: number; result?: string } {
  const first = text.indexOf('\n')
  if (first < 0) return { token: text, seconds: 0 }
  const second = text.indexOf('\n', first + 1)
  if (second < 0) return { token: text.slice(0, first), seconds: 0 }
  const seconds = Number(text.slice(first + 1, second))
  return { token: text.slice(0, first), seconds: seconds > 0 ? Math.floor(seconds) : 0, result: text.slice(second + 1) }
}

/** `<query>\n<body>`: what the caller's subrequest carries to the relay. */
export function relayEnvelope(query: string | undefined, body: string | undefined): string {
  return (query ?? '') + '\n' + (body ?? '')
}

/** The envelope's query and body; undefined when it is not one. */
export function splitEnvelope(envelope: string): { query: string; body: string } | undefined {
  const newline = envelope.indexOf('\n')
  if (newline < 0) return undefined
  return { query: envelope.slice(0, newline), body: envelope.slice(newline + 1) }
}

/** The failure named by a relay error page's body (RELAY_FAILURE_PREFIX), else undefined. */
export function relayFailureOf(body: string): RelayFailure | undefined {
  if (body.indexOf(RELAY_FAILURE_PREFIX) !== 0) return undefined
  const what = body.slice(RELAY_FAILURE_PREFIX.length).trim()
  return what === 'timeout' || what === 'unresolved' ? what : 'unreachable'
}

/** The AES key of one call's answers: HMAC-SHA-256(sealSecret, envelope), 32 bytes. */
function sealKey(hmacBase64url: (key: string, data: string) => string, sealSecret: string, envelope: string): Uint8Array {
  return Buffer.from(hmacBase64url(sealSecret, envelope), 'base64url')
}

/** Members of a token endpoint's answer that no step reads (only `access_token` is used). */
const UNREAD_TOKENS = ['refresh_token', 'id_token']

/**
 * The answer as the relay keeps it: a JSON object with an `access_token` (a refresh-token grant's
 * answer) loses its refresh and ID tokens, which nothing reads — smaller to seal and to open on
 * every cache hit, and two credentials fewer at rest. Anything else is kept as it came.
 */
export function withoutUnreadTokens(body: string): string {
  if (body.indexOf('"access_token"') < 0) return body
  let parsed: unknown
  try {
    parsed = JSON.parse(body)
  } catch (e) {
    return body
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return body
  const answer = parsed as { [key: string]: unknown }
  if (typeof answer.access_token !== 'string') return body
  for (let i = 0; i < UNREAD_TOKENS.length; i++) delete answer[UNREAD_TOKENS[i]]
  return JSON.stringify(answer)
}

/** `aot1.<iv>.<ciphertext and tag>`, base64url, of the UTF-8 of `plaintext`. */
export function sealAnswer(
  aead: AeadCipher,
  hmacBase64url: (key: string, data: string) => string,
  sealSecret: string,
  envelope: string,
  plaintext: string,
): Promise<string> {
  const iv = aead.randomBytes(12)
  return aead
    .encrypt(sealKey(hmacBase64url, sealSecret, envelope), iv, Buffer.from(plaintext, 'utf8'))
    .then(
      (sealed) =>
        SEALED_PREFIX + Buffer.from(iv).toString('base64url') + '.' + Buffer.from(sealed).toString('base64url'),
    )
}

/** True when `body` looks like a sealed answer (sealAnswer's form). */
export function isSealed(body: string): boolean {
  return body.indexOf(SEALED_PREFIX) === 0
}

/**
 * The plaintext of a sealed answer; rejects when it was not sealed for this envelope and secret
 * (or was altered): a cache file cannot be forged without them.
 */
export function openAnswer(
  aead: AeadCipher,
  hmacBase64url: (key: string, data: string) => string,
  sealSecret: string,
  envelope: string,
  body: string,
): Promise<string> {
  // Fixed offsets, no split: on the njs engine each string operation over a kilobyte answer costs
  // tens of thousands of instructions. A body of another shape fails the tag check below.
  if (!isSealed(body) || body.length <= SEALED_TEXT_START) return Promise.reject(new Error('not a sealed answer'))
  const iv = Buffer.from(body.slice(SEALED_PREFIX.length, SEALED_IV_END), 'base64url')
  const sealed = Buffer.from(body.slice(SEALED_TEXT_START), 'base64url')
  return aead
    .decrypt(sealKey(hmacBase64url, sealSecret, envelope), iv, sealed)
    // A view, not a copy: byte work in JavaScript is what a cache hit pays for here on the njs engine.
    .then((plain) => Buffer.from(plain.buffer, plain.byteOffset, plain.byteLength).toString('utf8'))
}
