/**
 * A jose-compatible signer for minted tokens: compact JWS, base64url without padding. HS256 (the
 * reference's algorithm, §6) goes through the platform's synchronous HMAC (hs256.ts); RS256, ES256
 * and EdDSA through WebCrypto's `sign` with the compiled PKCS#8 private key, with the parameters of
 * the one algorithm table (algorithms.ts). Tests verify every algorithm's output with `jose`
 * against the JWK Set `/.well-known/jwks.json` publishes.
 */
import { utf8ToBase64url, utf8ToBytes } from '../encoding'
import { codedError, ErrorCode } from '../errors'
import type { CompiledJwt } from '../config/compiled'
import type { MaybePromise } from '../maybe-async'
import type { Crypto, JwsSigner, WebCryptoParams } from '../platform'
import { jwsAlgorithm } from './algorithms'
import { signHs256 } from './hs256'

/**
 * Signs an already-serialised JSON payload as `jwt` says: synchronously for HS256, through a
 * promise otherwise. `keepKey`: where the JS context outlives the request (QuickJS), keep the
 * imported private key for the next mint; on the njs engine the module runs afresh for every
 * request and keeping it would only cost.
 */
export function signToken(payloadJson: string, jwt: CompiledJwt, crypto: Crypto, keepKey?: boolean): MaybePromise<string> {
  if (jwt.alg === undefined) return signHs256(payloadJson, jwt.secret as string, crypto)
  return signAsymmetric(payloadJson, jwt, crypto.signer, keepKey === true)
}

function signAsymmetric(payloadJson: string, jwt: CompiledJwt, signer: JwsSigner | undefined, keepKey: boolean): Promise<string> {
  const alg = jwt.alg as string
  const signingKey = jwt.signingKey
  if (signingKey === undefined) {
    return Promise.reject(codedError(ErrorCode.ConfigFormat, 'jwt.alg is ' + alg + ' but the compiled config has no signing key'))
  }
  if (signer === undefined) {
    return Promise.reject(codedError(ErrorCode.RuntimeUnsupported, 'minting ' + alg + ' tokens needs WebCrypto (crypto.subtle), which this runtime lacks'))
  }
  const algorithm = jwsAlgorithm(alg, undefined)
  const signingInput = signingKey.header + '.' + utf8ToBase64url(payloadJson)
  return privateKey(signer, signingKey.pkcs8, alg, algorithm.importParams, keepKey)
    .then((key) => signer.sign(algorithm.verifyParams, key, utf8ToBytes(signingInput)))
    .then((signature) => {
      // JWS wants ECDSA as r||s and Ed25519 as its 64 bytes (RFC 7518 §3.4, RFC 8037): WebCrypto
      // gives exactly that on every leg measured; a DER signature would be refused by verifiers.
      if (algorithm.signatureLength !== undefined && signature.length !== algorithm.signatureLength) {
        throw codedError(ErrorCode.JwtSignFailed, alg + ' signature of ' + signature.length + ' bytes, expected ' + algorithm.signatureLength)
      }
      return signingInput + '.' + Buffer.from(signature).toString('base64url')
    })
}

/**
 * The imported private key of the context (QuickJS), keyed by the key's own PKCS#8 text so that a
 * reloaded config never signs with an old key. One slot: a config has one signing key.
 */
let keptPkcs8: string | undefined
let keptKey: unknown

function privateKey(signer: JwsSigner, pkcs8: string, alg: string, params: WebCryptoParams, keep: boolean): Promise<unknown> {
  if (keep && keptPkcs8 === pkcs8) return Promise.resolve(keptKey)
  return signer.importPrivateKey(Buffer.from(pkcs8, 'base64'), params).then(
    (key) => {
      if (keep) {
        keptPkcs8 = pkcs8
        keptKey = key
      }
      return key
    },
    (e) => {
      throw importFailure(alg, e, signer)
    },
  )
}

/** How njs ("unknown algorithm name") and Node ("Unrecognized algorithm name") say it. */
const UNKNOWN_ALGORITHM = /unknown algorithm|unrecognized algorithm|not supported/i

function importFailure(alg: string, error: unknown, signer: JwsSigner) {
  const reason = error instanceof Error ? error.message : String(error)
  if (alg === 'EdDSA' && UNKNOWN_ALGORITHM.test(reason)) {
    return codedError(
      ErrorCode.RuntimeUnsupported,
      'jwt.alg EdDSA: minting needs Ed25519 in the runtime\'s WebCrypto (njs >= 0.9.7 built with it); this runtime (' +
        (signer.runtime !== undefined ? signer.runtime : 'unknown') + ') answered: ' + reason + '. Use RS256 or ES256 here.',
    )
  }
  return codedError(ErrorCode.JwtSignFailed, 'the runtime refused the ' + alg + ' signing key: ' + reason)
}
