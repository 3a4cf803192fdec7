/**
 * JWS compact serialisation (RFC 7515 §7.1): `header.payload.signature`, each strict base64url.
 * The header is read before any key is fetched; the payload only after the signature verified.
 */
import { bytesToUtf8Strict, utf8ToBytes } from '../encoding'
import { codedError, ErrorCode } from '../errors'
import { decodeBase64url, isStrictBase64url } from './base64url'

export interface JwsHeader {
  alg: string
  kid?: string
  [parameter: string]: unknown
}

export interface CompactJws {
  header: JwsHeader
  /** The payload's base64url text, checked strict by parseCompactJws, decoded by decodeClaims once the signature verified. */
  payloadSegment: string
  /** ASCII(header '.' payload), what the signature covers. */
  signingInput: Uint8Array
  signature: Uint8Array
}

export type Claims = { [claim: string]: unknown }

export function parseCompactJws(token: string): CompactJws {
  const first = token.indexOf('.')
  const second = first === -1 ? -1 : token.indexOf('.', first + 1)
  if (second === -1 || token.indexOf('.', second + 1) !== -1) {
    throw malformed('not a compact JWS (three dot-separated parts)')
  }
  const headerSegment = token.slice(0, first)
  const payloadSegment = token.slice(first + 1, second)
  const signature = decodeBase64url(token.slice(second + 1))
  if (signature === undefined) throw malformed('signature is not base64url')
  const headerBytes = decodeBase64url(headerSegment)
  if (headerBytes === undefined) throw malformed('header is not base64url')
  const header = jsonObject(headerBytes, 'header')
  if (typeof header.alg !== 'string') throw malformed('header has no "alg" string')
  if (header.kid !== undefined && typeof header.kid !== 'string') throw malformed('header "kid" is not a string')
  // RFC 7515 §4.1.11: extensions listed in "crit" must be understood; this verifier knows none.
  if (header.crit !== undefined) throw malformed('header has "crit" extensions, none of which is supported')
  if (!isStrictBase64url(payloadSegment)) throw malformed('payload is not base64url')
  return {
    header: header as JwsHeader,
    payloadSegment,
    signingInput: utf8ToBytes(token.slice(0, second)),
    signature,
  }
}

/**
 * The payload as a JSON object (call after the signature verified). parseCompactJws has already
 * checked that it is strict base64url: not checked again (a regex pass over the payload costs the
 * njs engine ~35 instructions a character).
 */
export function decodeClaims(jws: CompactJws): Claims {
  return jsonObject(new Uint8Array(Buffer.from(jws.payloadSegment, 'base64url')), 'payload')
}

function jsonObject(bytes: Uint8Array, what: string): Claims {
  const text = bytesToUtf8Strict(bytes)
  if (text === undefined) throw malformed(what + ' is not UTF-8')
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (e) {
    throw malformed(what + ' is not JSON')
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw malformed(what + ' is not a JSON object')
  }
  return value as Claims
}

function malformed(reason: string) {
  return codedError(ErrorCode.JwtMalformed, 'Failed to decode JWT: ' + reason)
}
