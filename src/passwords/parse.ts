/**
 * Compile time only (Node): turns the password material of a `plain` provider — clear-text
 * `password`, a `password_hash`, or the lines of an nginx htpasswd file — into the
 * `PasswordVerifier`s that the request path (./verify.ts) checks. Everything that can be checked
 * once is checked here, strictly, so that a hash the runtime cannot verify fails the compile with
 * a clear message instead of failing every login later.
 *
 * This module imports node:crypto: the njs bundle must never import it.
 *
 * Error messages never contain a password or a hash, only the name of the form; the caller adds
 * the configuration key path.
 */
import { createHash, pbkdf2Sync, randomBytes } from 'node:crypto'
import { KEY_PREFIX, type PasswordVerifier } from '../config/compiled'
import { codedError, ErrorCode } from '../errors'
import {
  CRYPT_ALPHABET,
  MD5_CRYPT_HASH_LENGTH,
  MD5_CRYPT_MAX_SALT_LENGTH,
  type Md5CryptMagic,
} from './md5crypt'

/**
 * What `authotron hash-password` uses: about 25 ms of blocking work per uncached verification on
 * njs 0.7.9 (docs/passwords.md has the measurements and the reasoning).
 */
export const DEFAULT_PBKDF2_ITERATIONS = 100_000
export const MAX_PBKDF2_ITERATIONS = 10_000_000
/** njs WebCrypto refuses PBKDF2 salts shorter than 16 bytes ("salt must be at least 16 bytes"). */
export const MIN_PBKDF2_SALT_BYTES = 16
export const MAX_PBKDF2_SALT_BYTES = 64
/**
 * Under 128 bits, a lucky match gets likelier than guessing the password; beyond SHA-512's 64
 * bytes, PBKDF2 only makes the defender compute more blocks than an attacker needs.
 */
export const MIN_PBKDF2_DERIVED_BYTES = 16
export const MAX_PBKDF2_DERIVED_BYTES = 64
/** What hashPassword writes: a 16-byte random salt and a 32-byte (SHA-256 sized) hash. */
export const PBKDF2_SALT_BYTES = 16
export const PBKDF2_DERIVED_BYTES = 32
/** {SSHA} salts are 4 (OpenLDAP) or 8 bytes in practice; the bound only rejects garbage. */
export const MAX_SSHA_SALT_BYTES = 64

const SHA1_BYTES = 20

const SUPPORTED_FORMS =
  'supported forms are $pbkdf2-sha256$ (`authotron hash-password`), $apr1$ and $1$ ' +
  '(`htpasswd -m`, `openssl passwd -apr1`), {SSHA} and {SHA} (`htpasswd -s`)'
const REHASH_ADVICE = 're-hash the password with `authotron hash-password` or `htpasswd -m`'

/** A clear-text password from the YAML, kept only as its SHA-256 (see verify.ts). */
export function plainVerifier(password: string): PasswordVerifier {
  return { form: 'plain', sha256: createHash('sha256').update(password, 'utf8').digest('base64') }
}

/**
 * Parses the YAML key `password_hash`. Throws ERR_CONFIG_INVALID, without a path, for malformed
 * and unsupported forms.
 */
export function parseStoredPassword(stored: string): PasswordVerifier {
  if (stored.startsWith('$pbkdf2-')) return parsePbkdf2(stored)
  if (stored.startsWith('$apr1$')) return parseMd5Crypt(stored, '$apr1$')
  if (stored.startsWith('$1$')) return parseMd5Crypt(stored, '$1$')
  if (stored.startsWith('{SSHA}')) return parseSsha(stored.slice('{SSHA}'.length))
  if (stored.startsWith('{SHA}')) return parseSha1(stored.slice('{SHA}'.length))
  throw invalid(describeUnsupported(stored))
}

/** Why `stored` is refused, naming its form when it has a recognisable one (never echoing it). */
function describeUnsupported(stored: string): string {
  if (stored === '') return `the password hash is empty; ${SUPPORTED_FORMS}`
  if (/^\$2[abxy]?\$/.test(stored)) {
    return (
      'bcrypt hashes ($2y$, $2a$, $2b$) are not supported: njs has no bcrypt, and bcrypt in ' +
      `JavaScript is far too slow to run inside the nginx worker; ${REHASH_ADVICE}`
    )
  }
  if (/^\$[56]\$/.test(stored)) {
    return (
      'SHA-crypt hashes ($5$, $6$) are not supported: njs 0.7.9 has no synchronous SHA-512, and ' +
      `5000 rounds of SHA-256 would block the nginx worker for ~40 ms per login; ${REHASH_ADVICE}`
    )
  }
  if (stored.startsWith('{PLAIN}')) {
    return '{PLAIN} is clear text: put it in `password` instead of `password_hash`'
  }
  // The identifier of a modular-crypt (`$argon2id$…`) or LDAP (`{SSHA512}…`) form is no secret.
  const modularCrypt = /^(\$[a-z0-9-]{1,32}\$)/.exec(stored)
  if (modularCrypt) return `${modularCrypt[1]} hashes are not supported; ${SUPPORTED_FORMS}`
  const ldapScheme = /^(\{[A-Za-z0-9.-]{1,32}\})/.exec(stored)
  if (ldapScheme) return `${ldapScheme[1]} hashes are not supported; ${SUPPORTED_FORMS}`
  if (/^[./0-9A-Za-z]{13}$/.test(stored)) {
    return (
      'this looks like a traditional DES crypt() hash, which is not supported (it ignores all ' +
      `but the first 8 characters of a password); ${REHASH_ADVICE}`
    )
  }
  return `this is not a recognised password hash; ${SUPPORTED_FORMS}`
}

// ---- PBKDF2 -------------------------------------------------------------------------------------

const PBKDF2_HASHES: { [id: string]: 'SHA-1' | 'SHA-256' | 'SHA-512' } = {
  sha1: 'SHA-1',
  sha256: 'SHA-256',
  sha512: 'SHA-512',
}

/**
 * Two spellings of the same thing are accepted, told apart by the iterations field:
 * - PHC string format (`authotron hash-password`):
 *   `$pbkdf2-sha256$i=<n>$<salt>$<hash>`, standard base64 without padding;
 * - passlib (Python): `$pbkdf2-sha256$<n>$<salt>$<hash>`, passlib's "adapted" base64 (`.` instead
 *   of `+`) without padding.
 */
function parsePbkdf2(stored: string): PasswordVerifier {
  const fields = stored.split('$')
  const id = /^pbkdf2-(sha1|sha256|sha512)$/.exec(fields[1])
  if (!id) {
    const variant = /^\$pbkdf2-[a-z0-9]{1,16}\$/.exec(stored)
    throw invalid(
      `${variant ? variant[0] : 'this'} is not a supported PBKDF2 variant; use $pbkdf2-sha256$ ` +
        '(`authotron hash-password`), $pbkdf2-sha1$ or $pbkdf2-sha512$',
    )
  }
  const form = `$pbkdf2-${id[1]}$`
  if (fields.length !== 5) {
    throw invalid(`a ${form} hash must have the form ${form}i=<iterations>$<salt>$<hash>`)
  }
  const phc = fields[2].startsWith('i=')
  const iterationsText = phc ? fields[2].slice(2) : fields[2]
  if (!/^[1-9][0-9]{0,7}$/.test(iterationsText) || Number(iterationsText) > MAX_PBKDF2_ITERATIONS) {
    throw invalid(`${form} iterations must be a whole number from 1 to ${MAX_PBKDF2_ITERATIONS}`)
  }
  const alphabet = phc ? 'standard base64 without padding' : "passlib's adapted base64"
  const salt = decodeUnpaddedBase64(fields[3], !phc)
  if (salt === undefined) throw invalid(`the ${form} salt is not ${alphabet}`)
  if (salt.length < MIN_PBKDF2_SALT_BYTES || salt.length > MAX_PBKDF2_SALT_BYTES) {
    throw invalid(
      `the ${form} salt is ${salt.length} bytes; it must be ${MIN_PBKDF2_SALT_BYTES} to ` +
        `${MAX_PBKDF2_SALT_BYTES} bytes (njs WebCrypto refuses PBKDF2 salts shorter than ` +
        `${MIN_PBKDF2_SALT_BYTES} bytes); ${REHASH_ADVICE}`,
    )
  }
  const derived = decodeUnpaddedBase64(fields[4], !phc)
  if (derived === undefined) throw invalid(`the ${form} hash is not ${alphabet}`)
  if (derived.length < MIN_PBKDF2_DERIVED_BYTES || derived.length > MAX_PBKDF2_DERIVED_BYTES) {
    throw invalid(
      `the ${form} hash is ${derived.length} bytes; it must be ${MIN_PBKDF2_DERIVED_BYTES} to ` +
        `${MAX_PBKDF2_DERIVED_BYTES} bytes`,
    )
  }
  return {
    form: 'pbkdf2',
    hash: PBKDF2_HASHES[id[1]],
    iterations: Number(iterationsText),
    salt: salt.toString('base64'),
    derived: derived.toString('base64'),
  }
}

/**
 * Strict unpadded base64: only the alphabet, no impossible length, and zero unused bits in the
 * last character (so every byte string has exactly one accepted spelling). `adapted` selects
 * passlib's alphabet, where `.` stands for `+`.
 */
function decodeUnpaddedBase64(text: string, adapted: boolean): Buffer | undefined {
  const pattern = adapted ? /^[A-Za-z0-9./]+$/ : /^[A-Za-z0-9+/]+$/
  if (!pattern.test(text) || text.length % 4 === 1) return undefined
  const standard = adapted ? text.replace(/\./g, '+') : text
  const bytes = Buffer.from(standard, 'base64')
  // Re-encoding reproduces the input only when the unused trailing bits were zero.
  return bytes.toString('base64').replace(/=+$/, '') === standard ? bytes : undefined
}

// ---- htpasswd's SHA-1 forms ---------------------------------------------------------------------

/** `{SHA}` + base64(sha1(password)), canonical padding: what `htpasswd -s` writes. */
function parseSha1(encoded: string): PasswordVerifier {
  const digest = decodePaddedBase64(encoded)
  if (digest === undefined || digest.length !== SHA1_BYTES) {
    throw invalid('a {SHA} hash must be the base64 of a 20-byte SHA-1 digest (28 characters)')
  }
  return { form: 'sha1', digest: digest.toString('base64') }
}

/** `{SSHA}` + base64(sha1(password + salt) + salt), as OpenLDAP's slappasswd writes it. */
function parseSsha(encoded: string): PasswordVerifier {
  const decoded = decodePaddedBase64(encoded)
  const saltLength = decoded === undefined ? 0 : decoded.length - SHA1_BYTES
  if (decoded === undefined || saltLength < 1 || saltLength > MAX_SSHA_SALT_BYTES) {
    throw invalid(
      'a {SSHA} hash must be the base64 of a 20-byte SHA-1 digest followed by a salt of ' +
        `1 to ${MAX_SSHA_SALT_BYTES} bytes`,
    )
  }
  return {
    form: 'ssha',
    digest: decoded.subarray(0, SHA1_BYTES).toString('base64'),
    salt: decoded.subarray(SHA1_BYTES).toString('base64'),
  }
}

/** Strict padded standard base64 (the spelling Buffer itself produces), else undefined. */
function decodePaddedBase64(text: string): Buffer | undefined {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) return undefined
  const bytes = Buffer.from(text, 'base64')
  return bytes.length > 0 && bytes.toString('base64') === text ? bytes : undefined
}

// ---- MD5-crypt ----------------------------------------------------------------------------------

/** Salt of 0–8 and hash of 22 characters of CRYPT_ALPHABET (the constants in ./md5crypt.ts). */
const MD5_CRYPT_FIELDS = /^([./0-9A-Za-z]{0,8})\$([./0-9A-Za-z]{22})$/

/** `$apr1$<salt>$<hash>` and `$1$<salt>$<hash>`. */
function parseMd5Crypt(stored: string, magic: Md5CryptMagic): PasswordVerifier {
  const fields = MD5_CRYPT_FIELDS.exec(stored.slice(magic.length))
  // The last character encodes the final byte's top 2 bits only, so it is one of `./01`.
  if (!fields || CRYPT_ALPHABET.indexOf(fields[2].charAt(MD5_CRYPT_HASH_LENGTH - 1)) > 3) {
    throw invalid(
      `a ${magic} hash must have the form ${magic}<salt>$<hash>: a salt of up to ` +
        `${MD5_CRYPT_MAX_SALT_LENGTH} and a hash of ${MD5_CRYPT_HASH_LENGTH} characters from ` +
        '[./0-9A-Za-z]',
    )
  }
  return { form: 'md5crypt', magic, salt: fields[1], hash: fields[2] }
}

// ---- htpasswd files -----------------------------------------------------------------------------

export interface HtpasswdEntry {
  username: string
  verifier: PasswordVerifier
  /**
   * A `{PLAIN}` line's password, in memory only (never compiled): compiler/basic-grants.ts keys the
   * precomputed Basic table by a digest of the whole credential.
   */
  clearText?: string
  /** 1-based line number in the file, for messages. */
  line: number
}

/**
 * Parses an nginx `auth_basic_user_file`: `name:hash[:comment]` per line; lines starting with `#`
 * and blank lines are skipped; CRLF line ends are tolerated. Hashes are every form that
 * parseStoredPassword accepts, plus nginx's `{PLAIN}` clear text.
 *
 * As in nginx, the hash ends at the next `:` (the rest is a comment) and nothing is trimmed. A user
 * name defined twice is an error: nginx checks only the first line, while the `plain` provider
 * would accept either password.
 *
 * Throws ERR_CONFIG_INVALID with a message that starts with `<source>:<line>: `.
 */
export function parseHtpasswd(text: string, source: string): HtpasswdEntry[] {
  const entries: HtpasswdEntry[] = []
  const firstLineByUser: { [prefixedUsername: string]: number } = Object.create(null)
  const lines = text.split('\n')
  for (let index = 0; index < lines.length; index++) {
    const lineNumber = index + 1
    const line = lines[index].endsWith('\r') ? lines[index].slice(0, -1) : lines[index]
    const fail = (reason: string) => invalid(`${source}:${lineNumber}: ${reason}`)
    if (line.trim() === '' || line.startsWith('#')) continue

    const colon = line.indexOf(':')
    if (colon === -1) throw fail('expected `name:hash`, found no `:`')
    if (colon === 0) throw fail('the user name is empty')
    const username = line.slice(0, colon)
    const name = JSON.stringify(username)
    const afterName = line.slice(colon + 1)
    const commentColon = afterName.indexOf(':')
    const hash = commentColon === -1 ? afterName : afterName.slice(0, commentColon)
    if (hash === '') throw fail(`user ${name} has no password hash`)

    const earlier = firstLineByUser[KEY_PREFIX + username]
    if (earlier !== undefined) {
      throw fail(`user ${name} is already defined on line ${earlier}; keep one of the two lines`)
    }
    firstLineByUser[KEY_PREFIX + username] = lineNumber

    const clearText = hash.startsWith('{PLAIN}') ? hash.slice('{PLAIN}'.length) : undefined
    let verifier: PasswordVerifier
    try {
      verifier = clearText !== undefined ? plainVerifier(clearText) : parseStoredPassword(hash)
    } catch (error) {
      throw fail(`user ${name}: ${(error as Error).message}`)
    }
    entries.push(clearText !== undefined ? { username, verifier, clearText, line: lineNumber } : { username, verifier, line: lineNumber })
  }
  return entries
}

// ---- hashing (authotron hash-password) ----------------------------------------------------------

/**
 * Hashes a password for `password_hash`: `$pbkdf2-sha256$i=<n>$<salt>$<hash>` (PHC string format,
 * standard base64 without padding) with a 16-byte random salt and a 32-byte hash.
 */
export function hashPassword(password: string, options?: { iterations?: number }): string {
  const iterations = options?.iterations ?? DEFAULT_PBKDF2_ITERATIONS
  if (!Number.isInteger(iterations) || iterations < 1 || iterations > MAX_PBKDF2_ITERATIONS) {
    throw invalid(`iterations must be a whole number from 1 to ${MAX_PBKDF2_ITERATIONS}`)
  }
  const salt = randomBytes(PBKDF2_SALT_BYTES)
  const derived = pbkdf2Sync(
    Buffer.from(password, 'utf8'),
    salt,
    iterations,
    PBKDF2_DERIVED_BYTES,
    'sha256',
  )
  return `$pbkdf2-sha256$i=${iterations}$${unpadded(salt)}$${unpadded(derived)}`
}

function unpadded(bytes: Buffer): string {
  return bytes.toString('base64').replace(/=+$/, '')
}

function invalid(message: string) {
  return codedError(ErrorCode.ConfigInvalid, message)
}
