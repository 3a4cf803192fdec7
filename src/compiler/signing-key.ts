/**
 * Asymmetric minting (extension; docs/jwt.md, "Asymmetric minting"): `jwt.alg` RS256, ES256 or
 * EdDSA with `jwt.private_key_file`. The key is read and checked here, once — that it is a private
 * key, not encrypted, of the type and size `alg` needs — and goes into the compiled file as PKCS#8
 * (the file `authotron compile` writes with mode 0600, like the HS256 secret it replaces). Its
 * public half, and those of `jwt.previous_public_key_files`, become the JWK Set that
 * `/.well-known/jwks.json` serves, each with its `kid` (`jwt.kid`/the item's `kid`, else the RFC
 * 7638 thumbprint), `alg` and `use: sig`. Every message names the key path and the file.
 */
import { createHash, createPrivateKey, createPublicKey, KeyObject } from 'node:crypto'
import { readFileSync, statSync } from 'node:fs'
import { isAbsolute, relative, resolve } from 'node:path'
import type { AsymmetricMintAlgorithm, CompiledJwt } from '../config/compiled'
import type { Diagnostic, Severity } from './diagnostics'
import { describeIoError } from './io-error'
import { isMapping, Mapping, Path } from './paths'
import { ASYMMETRIC_MINT_ALGORITHMS, MINT_ALGORITHMS } from './schema'
import { LocatedDocument, missingKeyLocation, valueLocation } from './source'

/** RFC 7518 §3.3: RS256 keys of at least 2048 bits. */
export const MIN_RSA_BITS = 2048

export interface SigningContext {
  doc: LocatedDocument
  /** Where relative key paths start: the config file's directory. */
  baseDir: string
  /** Where file names in messages are shown relative to. */
  cwd: string
}

export type CompiledSigning = Required<Pick<CompiledJwt, 'alg' | 'signingKey' | 'jwks'>>

/** A public JWK as published: kty, kid, use, alg, then the key's own members. */
type PublishedJwk = { [member: string]: string }

/**
 * The compiled signing settings for `jwt` (undefined for HS256, or when a problem was found), and
 * the problems. Runs on any document whose `jwt` is a mapping, so one run reports everything.
 */
export function compileSigning(jwt: unknown, context: SigningContext): { signing?: CompiledSigning; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = []
  const report = (severity: Severity, path: Path, message: string) =>
    diagnostics.push({ severity, path, where: valueLocation(context.doc, path), message })
  // Reported as the schema reports a missing key (validate.ts).
  const missing = (key: string) =>
    diagnostics.push({ severity: 'error', path: ['jwt', key], where: missingKeyLocation(context.doc, ['jwt']), message: 'required key missing' })
  // Not a mapping, or an alg the schema refuses (it says so): nothing more to say.
  if (!isMapping(jwt) || (jwt.alg !== undefined && !(MINT_ALGORITHMS as readonly unknown[]).includes(jwt.alg))) return { diagnostics }
  const alg = asymmetricAlg(jwt.alg)
  if (alg === undefined) {
    if (jwt.secret === undefined) missing('secret')
    if (jwt.private_key_file !== undefined) {
      report('error', ['jwt', 'private_key_file'], `only used with alg ${ASYMMETRIC_MINT_ALGORITHMS.join(', ')}; alg is ${jwt.alg === undefined ? 'HS256 (the default)' : 'HS256'}, which signs with secret`)
    }
    if (jwt.previous_public_key_files !== undefined) {
      report('error', ['jwt', 'previous_public_key_files'], 'only used with an asymmetric alg (RS256, ES256, EdDSA)')
    }
    return { diagnostics }
  }
  if (typeof jwt.secret === 'string') {
    report('warning', ['jwt', 'secret'], `unused: with alg ${alg} tokens are signed with private_key_file`)
  }
  if (alg === 'EdDSA') {
    report(
      'warning',
      ['jwt', 'alg'],
      'EdDSA minting needs Ed25519 in the runtime\'s WebCrypto (njs >= 0.9.7): njs 0.7.9, 0.8.9 and Debian\'s 1.0.2 (either engine) lack it, and there every authentication answers 500 with ERR_RUNTIME_UNSUPPORTED in the error log; use RS256 or ES256 on those',
    )
  }
  if (jwt.private_key_file === undefined) missing('private_key_file')
  if (typeof jwt.private_key_file !== 'string') return { diagnostics }

  const keyPath: Path = ['jwt', 'private_key_file']
  const file = resolve(context.baseDir, jwt.private_key_file)
  const shown = shownName(file, context.cwd)
  const text = readText(file, shown, keyPath, report)
  let privateKey: KeyObject | undefined
  if (text !== undefined) privateKey = parsePrivateKey(text, shown, keyPath, report)
  if (privateKey !== undefined) {
    const problem = mismatch(alg, privateKey)
    if (problem !== undefined) {
      report('error', keyPath, `${shown}: ${problem}`)
      privateKey = undefined
    }
  }
  if (privateKey !== undefined) warnIfReadableByOthers(file, shown, keyPath, report)

  const kid = typeof jwt.kid === 'string' ? jwt.kid : undefined
  const keys: PublishedJwk[] = []
  const kids = new Set<string>()
  let signingKid: string | undefined
  if (privateKey !== undefined) {
    const published = publishedJwk(createPublicKey(privateKey), alg, kid)
    signingKid = published.kid
    kids.add(published.kid)
    keys.push(published)
  }
  const previous = Array.isArray(jwt.previous_public_key_files) ? jwt.previous_public_key_files : []
  previous.forEach((item: unknown, index) => {
    const at: Path = ['jwt', 'previous_public_key_files', index]
    const entry = previousEntry(item)
    if (entry === undefined) return
    const path = typeof item === 'string' ? at : [...at, 'file']
    const previousFile = resolve(context.baseDir, entry.file)
    const previousShown = shownName(previousFile, context.cwd)
    const previousText = readText(previousFile, previousShown, path, report)
    if (previousText === undefined) return
    let publicKey: KeyObject
    try {
      publicKey = createPublicKey(previousText)
    } catch (error) {
      report('error', path, `${previousShown}: not a PEM public or private key (${(error as Error).message})`)
      return
    }
    const previousAlg = algorithmOf(publicKey)
    if (previousAlg === undefined) {
      report('error', path, `${previousShown}: ${describeKey(publicKey)}; expected RSA (RS256), EC P-256 (ES256) or Ed25519 (EdDSA)`)
      return
    }
    const published = publishedJwk(publicKey, previousAlg, entry.kid)
    if (kids.has(published.kid)) {
      report('error', path, `${previousShown}: kid ${JSON.stringify(published.kid)} is already published (the same key twice, or two keys configured with one kid)`)
      return
    }
    kids.add(published.kid)
    keys.push(published)
  })

  if (privateKey === undefined || signingKid === undefined || diagnostics.some((d) => d.severity === 'error')) {
    return { diagnostics }
  }
  const pkcs8 = (privateKey.export({ type: 'pkcs8', format: 'der' }) as Buffer).toString('base64')
  // The reference's header order (typ, alg; §6), then kid.
  const header = Buffer.from(JSON.stringify({ typ: 'JWT', alg, kid: signingKid }), 'utf8').toString('base64url')
  return {
    diagnostics,
    signing: { alg, signingKey: { pkcs8, kid: signingKid, header }, jwks: JSON.stringify({ keys }) },
  }
}

/** RFC 7638: SHA-256 of the required members in lexicographic order, base64url. */
export function jwkThumbprint(jwk: { [member: string]: unknown }): string {
  const required: { [kty: string]: string[] } = { RSA: ['e', 'kty', 'n'], EC: ['crv', 'kty', 'x', 'y'], OKP: ['crv', 'kty', 'x'] }
  const members = required[String(jwk.kty)]
  if (members === undefined) throw new Error(`no thumbprint for kty ${String(jwk.kty)}`)
  const canonical = '{' + members.map((name) => `${JSON.stringify(name)}:${JSON.stringify(jwk[name])}`).join(',') + '}'
  return createHash('sha256').update(canonical, 'utf8').digest('base64url')
}

function asymmetricAlg(alg: unknown): AsymmetricMintAlgorithm | undefined {
  return (ASYMMETRIC_MINT_ALGORITHMS as readonly unknown[]).includes(alg) ? (alg as AsymmetricMintAlgorithm) : undefined
}

function previousEntry(item: unknown): { file: string; kid?: string } | undefined {
  if (typeof item === 'string') return { file: item }
  if (isMapping(item) && typeof item.file === 'string') {
    return typeof item.kid === 'string' ? { file: item.file, kid: item.kid } : { file: item.file }
  }
  return undefined
}

function readText(file: string, shown: string, path: Path, report: (s: Severity, p: Path, m: string) => void): string | undefined {
  try {
    return readFileSync(file, 'utf8')
  } catch (error) {
    report('error', path, `cannot read ${shown}: ${describeIoError(error)}`)
    return undefined
  }
}

function parsePrivateKey(text: string, shown: string, path: Path, report: (s: Severity, p: Path, m: string) => void): KeyObject | undefined {
  if (/-----BEGIN ENCRYPTED PRIVATE KEY-----|Proc-Type: 4,ENCRYPTED/.test(text)) {
    report('error', path, `${shown}: the private key is encrypted; nginx cannot ask for a passphrase: store it decrypted with mode 0600 (openssl pkey -in ${shown} -out key.pem)`)
    return undefined
  }
  if (/-----BEGIN (?:RSA )?PUBLIC KEY-----|-----BEGIN CERTIFICATE-----/.test(text) && !/PRIVATE KEY-----/.test(text)) {
    report('error', path, `${shown}: holds a public key or certificate, not a private key`)
    return undefined
  }
  try {
    return createPrivateKey({ key: text, format: 'pem' })
  } catch (error) {
    report('error', path, `${shown}: not a PEM private key (PKCS#8, PKCS#1 or SEC1): ${(error as Error).message}`)
    return undefined
  }
}

/** Why `key` cannot sign `alg`, or undefined when it can. */
function mismatch(alg: AsymmetricMintAlgorithm, key: KeyObject): string | undefined {
  const found = describeKey(key)
  if (alg === 'RS256') {
    if (key.asymmetricKeyType !== 'rsa') return `alg RS256 needs an RSA key; this is ${found}`
    const bits = key.asymmetricKeyDetails?.modulusLength ?? 0
    if (bits < MIN_RSA_BITS) return `alg RS256 needs an RSA key of at least ${MIN_RSA_BITS} bits; this one has ${bits}`
    return undefined
  }
  if (alg === 'ES256') {
    if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
      return `alg ES256 needs an EC key on curve P-256 (prime256v1); this is ${found}`
    }
    return undefined
  }
  if (key.asymmetricKeyType !== 'ed25519') return `alg EdDSA needs an Ed25519 key; this is ${found}`
  return undefined
}

function algorithmOf(key: KeyObject): AsymmetricMintAlgorithm | undefined {
  if (key.asymmetricKeyType === 'rsa') return 'RS256'
  if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1') return 'ES256'
  if (key.asymmetricKeyType === 'ed25519') return 'EdDSA'
  return undefined
}

function describeKey(key: KeyObject): string {
  const type = key.asymmetricKeyType
  if (type === 'rsa' || type === 'rsa-pss') return `an ${type.toUpperCase()} key of ${key.asymmetricKeyDetails?.modulusLength} bits`
  if (type === 'ec') return `an EC key on curve ${key.asymmetricKeyDetails?.namedCurve}`
  return `an ${String(type)} key`
}

function publishedJwk(publicKey: KeyObject, alg: AsymmetricMintAlgorithm, kid: string | undefined): PublishedJwk & { kid: string } {
  const jwk = publicKey.export({ format: 'jwk' }) as { [member: string]: string }
  const members: PublishedJwk =
    jwk.kty === 'RSA' ? { n: jwk.n, e: jwk.e } : jwk.kty === 'EC' ? { crv: jwk.crv, x: jwk.x, y: jwk.y } : { crv: jwk.crv, x: jwk.x }
  return { kty: jwk.kty, kid: kid ?? jwkThumbprint(jwk), use: 'sig', alg, ...members }
}

function warnIfReadableByOthers(file: string, shown: string, path: Path, report: (s: Severity, p: Path, m: string) => void) {
  try {
    if ((statSync(file).mode & 0o004) !== 0) {
      report('warning', path, `${shown} is readable by every user of this machine: chmod 0600 it (the compiled file keeps the key with mode 0600)`)
    }
  } catch {
    // It was just read; a vanished file is reported by the next compile.
  }
}

function shownName(file: string, cwd: string): string {
  const shown = relative(cwd, file)
  if (shown === '') return '.'
  return isAbsolute(shown) ? file : shown
}
