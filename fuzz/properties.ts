/**
 * Property-based targets of issue 19, point 1: every parser of request input and the config
 * compiler, each checked against a simple model written here (never the code under test). Every
 * target asserts two things on every generated input: no exception escapes except the coded error
 * the module documents, and the result equals the model's.
 *
 * `npm test` runs a seeded slice of each (test/unit/properties.test.ts, a few seconds);
 * `npm run fuzz` runs ≥ 100,000 cases per target with a fresh seed (fuzz/run.ts) and prints the
 * counts and the seed, so that a failure can be replayed with `npm run fuzz -- --seed N`.
 */
import fc from 'fast-check'
import { createHash, createHmac, webcrypto } from 'node:crypto'
import { parseAuthorization } from '../src/auth/header'
import { compileConfig } from '../src/compiler/compile'
import { KEY_PREFIX } from '../src/config/compiled'
import { isStrictBase64 } from '../src/encoding'
import { errorCode, ErrorCode } from '../src/errors'
import { jwsAlgorithm } from '../src/jwt/algorithms'
import { isStrictBase64url } from '../src/jwt/base64url'
import { parseCompactJws } from '../src/jwt/jws'
import { verifyJws } from '../src/jwt/verify'
import type { JwksEndpoint, JwksSource, SignatureVerifier } from '../src/platform'

export interface PropertyTarget {
  name: string
  /** Runs `numRuns` generated cases; throws (fast-check's report, with the seed) on the first failure. */
  run(numRuns: number, seed: number): Promise<void>
}

/** A result or the error code thrown, so that model and implementation compare with deepEqual. */
type Outcome<T> = { ok: T } | { code: string | undefined; message?: string }

function outcome<T>(f: () => T): Outcome<T> {
  try {
    return { ok: f() }
  } catch (e) {
    // An error without one of our codes is an escaped exception: keep its message for the report.
    const code = errorCode(e)
    return code === undefined ? { code, message: String(e) } : { code }
  }
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b)
}

function check(label: string, actual: unknown, expected: unknown): true {
  if (!same(actual, expected)) {
    throw new Error(`${label}: got ${JSON.stringify(actual)}, the model says ${JSON.stringify(expected)}`)
  }
  return true
}

// ---------------------------------------------------------------------------------------------
// The Authorization header grammar (authotron-behaviour.md §3.1–3.3)

/**
 * The model: visible ASCII and tab, else absent; split at commas; drop repeated parts; more than
 * three distinct parts is invalid; each part is exactly `scheme<spaces/tabs>credential`; schemes
 * are case-insensitive, basic/plain mean Basic; in header order, the last credential of a scheme wins.
 */
function headerModel(header: string | undefined): Outcome<{ scheme: string; credential: string }[]> {
  if (header === undefined || /[^\t\x20-\x7e]/.test(header) || /^[ \t]*$/.test(header)) {
    return { code: ErrorCode.HeaderMissing }
  }
  const distinct: string[] = []
  const result: { scheme: string; credential: string }[] = []
  for (const raw of header.split(',')) {
    const part = raw.replace(/^[ \t]+|[ \t]+$/g, '')
    if (distinct.includes(part)) continue
    distinct.push(part)
    if (distinct.length > 3) return { code: ErrorCode.HeaderInvalid }
    const match = /^([^ \t]+)[ \t]+([^ \t]+)$/.exec(part)
    if (match === null) return { code: ErrorCode.HeaderInvalid }
    const lower = match[1].toLowerCase()
    const scheme = lower === 'basic' || lower === 'plain' ? 'Basic' : lower === 'bearer' ? 'Bearer' : lower
    const existing = result.find((c) => c.scheme === scheme)
    if (existing !== undefined) existing.credential = match[2]
    else result.push({ scheme, credential: match[2] })
  }
  return { ok: result }
}

const headerPiece = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('Basic', 'Bearer', 'bAsIc', 'PLAIN', 'Negotiate', 'dGVzdA==', 'a.b.c', 'x') },
  { weight: 6, arbitrary: fc.constantFrom(' ', '  ', '\t', ' \t ', ',', ', ', ' ,') },
  { weight: 2, arbitrary: fc.string({ maxLength: 6, unit: 'grapheme-ascii' }) },
  { weight: 1, arbitrary: fc.constantFrom('\0', '\r', '\n', '\x7f', '\x80', 'é', '\u2028', '\uFEFF', '\u{1F600}', '\uD800') },
)
/** Lists of well-formed parts, so that repeats, scheme clashes and the part limit are reached. */
const wellFormedParts = fc
  .array(
    fc.tuple(
      fc.constantFrom('Basic', 'basic', 'Bearer', 'plain', 'Token'),
      fc.constantFrom(' ', '\t', '   '),
      fc.constantFrom('a', 'b', 'dGVzdA==', 'x.y.z'),
    ),
    { minLength: 1, maxLength: 6 },
  )
  .chain((parts) =>
    fc
      .array(fc.constantFrom(',', ', ', ' , ', ',\t'), { minLength: parts.length, maxLength: parts.length })
      .map((commas) => parts.map((part, i) => part.join('') + (i < parts.length - 1 ? commas[i] : '')).join('')),
  )
const headerValue = fc.oneof(
  { weight: 1, arbitrary: fc.constant(undefined) },
  { weight: 8, arbitrary: wellFormedParts },
  { weight: 12, arbitrary: fc.array(headerPiece, { maxLength: 14 }).map((pieces) => pieces.join('')) },
  { weight: 2, arbitrary: fc.string({ maxLength: 40 }) },
)

const headerGrammar: PropertyTarget = {
  name: 'Authorization header grammar (src/auth/header.ts) vs a regex model',
  async run(numRuns, seed) {
    fc.assert(
      fc.property(headerValue, (header) =>
        check(JSON.stringify(header), outcome(() => parseAuthorization(header)), headerModel(header)),
      ),
      { numRuns, seed },
    )
  },
}

// ---------------------------------------------------------------------------------------------
// Strict base64 (Basic) and strict base64url (JWT segments)

const BASE64_SYMBOLS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'
const BASE64URL_SYMBOLS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'

/** Model: only the alphabet (and `=`), and Node's encoder gives back exactly this text. */
function strictBase64Model(text: string): boolean {
  return /^[A-Za-z0-9+/=]*$/.test(text) && Buffer.from(text, 'base64').toString('base64') === text
}
function strictBase64urlModel(text: string): boolean {
  return /^[A-Za-z0-9_-]*$/.test(text) && Buffer.from(text, 'base64url').toString('base64url') === text
}

function nearAlphabet(symbols: string, pad: string[]) {
  return fc.oneof(
    // Mostly the alphabet and pads, so that many inputs are near-valid…
    {
      weight: 6,
      arbitrary: fc.string({
        unit: fc.oneof(
          { weight: 12, arbitrary: fc.constantFrom(...symbols.split('')) },
          { weight: 2, arbitrary: fc.constantFrom(...pad) },
          { weight: 1, arbitrary: fc.constantFrom('-', '_', '+', '/', '=', ' ', '\t', '\n', '\0', '.', 'é', '\u{1F600}', '\uD800') },
        ),
        maxLength: 40,
      }),
    },
    // …canonical encodings of random bytes with a few characters spliced in…
    {
      weight: 3,
      arbitrary: fc
        .tuple(fc.uint8Array({ maxLength: 40 }), fc.nat(), fc.string({ maxLength: 3 }), fc.boolean())
        .map(([bytes, at, edit, url]) => {
          const canonical = Buffer.from(bytes).toString(url ? 'base64url' : 'base64')
          const position = at % (canonical.length + 1)
          return canonical.slice(0, position) + edit + canonical.slice(position + edit.length)
        }),
    },
    // …and anything.
    { weight: 1, arbitrary: fc.string({ maxLength: 40, unit: 'binary' }) },
  )
}

const strictBase64: PropertyTarget = {
  name: 'strict base64 (src/encoding.ts isStrictBase64) vs Node re-encoding',
  async run(numRuns, seed) {
    fc.assert(
      fc.property(nearAlphabet(BASE64_SYMBOLS, ['=']), (text) =>
        check(JSON.stringify(text), outcome(() => isStrictBase64(text)), { ok: strictBase64Model(text) }),
      ),
      { numRuns, seed },
    )
  },
}

const strictBase64url: PropertyTarget = {
  name: 'strict base64url (src/jwt/base64url.ts) vs Node re-encoding',
  async run(numRuns, seed) {
    fc.assert(
      fc.property(nearAlphabet(BASE64URL_SYMBOLS, ['=']), (text) =>
        check(JSON.stringify(text), outcome(() => isStrictBase64url(text)), { ok: strictBase64urlModel(text) }),
      ),
      { numRuns, seed },
    )
  },
}

// ---------------------------------------------------------------------------------------------
// JWT (compact JWS) parsing

function decodeSegmentModel(segment: string): Buffer | undefined {
  return strictBase64urlModel(segment) ? Buffer.from(segment, 'base64url') : undefined
}

/** Valid UTF-8 is what survives a decode/encode round trip; a leading BOM is dropped (WHATWG decode). */
function utf8Model(bytes: Buffer): string | undefined {
  const text = bytes.toString('utf8')
  if (!Buffer.from(text, 'utf8').equals(bytes)) return undefined
  return text.startsWith('\uFEFF') ? text.slice(1) : text
}

function jsonObjectModel(bytes: Buffer): { [key: string]: unknown } | undefined {
  const text = utf8Model(bytes)
  if (text === undefined) return undefined
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return undefined
  }
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as { [key: string]: unknown }) : undefined
}

type ParsedModel = { header: unknown; payloadSegment: string; signingInput: number[]; signature: number[] }

function parseModel(token: string): Outcome<ParsedModel> {
  const parts = token.split('.')
  const malformed = { code: ErrorCode.JwtMalformed }
  if (parts.length !== 3) return malformed
  const signature = decodeSegmentModel(parts[2])
  const headerBytes = decodeSegmentModel(parts[0])
  if (signature === undefined || headerBytes === undefined) return malformed
  const header = jsonObjectModel(headerBytes)
  if (header === undefined || typeof header.alg !== 'string') return malformed
  if (header.kid !== undefined && typeof header.kid !== 'string') return malformed
  if (header.crit !== undefined || !strictBase64urlModel(parts[1])) return malformed
  return {
    ok: {
      header,
      payloadSegment: parts[1],
      signingInput: [...Buffer.from(parts[0] + '.' + parts[1], 'utf8')],
      signature: [...signature],
    },
  }
}

function parseActual(token: string): Outcome<ParsedModel> {
  const parsed = outcome(() => parseCompactJws(token))
  if (!('ok' in parsed)) return parsed
  const { header, payloadSegment, signingInput, signature } = parsed.ok
  return { ok: { header, payloadSegment, signingInput: [...signingInput], signature: [...signature] } }
}

const b64url = (bytes: Uint8Array | string) => Buffer.from(bytes).toString('base64url')

const headerObject = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record(
      {
        alg: fc.oneof(fc.constantFrom('HS256', 'RS256', 'none', 'ES256'), fc.string(), fc.integer(), fc.constant(null)),
        kid: fc.oneof(fc.string(), fc.integer(), fc.constant(null)),
        typ: fc.constant('JWT'),
        crit: fc.array(fc.string(), { maxLength: 1 }),
      },
      { requiredKeys: [] },
    ),
  },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
)

/** How a header or payload segment is made: JSON (maybe with a BOM), raw bytes, or any text. */
const segment = fc.oneof(
  { weight: 6, arbitrary: headerObject.map((value) => b64url(JSON.stringify(value) ?? 'null')) },
  { weight: 1, arbitrary: headerObject.map((value) => b64url('\uFEFF' + JSON.stringify(value))) },
  { weight: 1, arbitrary: headerObject.map((value) => b64url(' ' + JSON.stringify(value) + '\n')) },
  { weight: 2, arbitrary: fc.uint8Array({ maxLength: 24 }).map(b64url) },
  { weight: 1, arbitrary: nearAlphabet(BASE64URL_SYMBOLS, ['=', '.']) },
)

const compactToken = fc.oneof(
  { weight: 8, arbitrary: fc.tuple(segment, segment, segment).map((parts) => parts.join('.')) },
  { weight: 1, arbitrary: fc.array(segment, { maxLength: 5 }).map((parts) => parts.join('.')) },
  { weight: 1, arbitrary: fc.string({ maxLength: 60 }) },
)

const jwtParsing: PropertyTarget = {
  name: 'JWT parsing (src/jwt/jws.ts parseCompactJws) vs a split/JSON model',
  async run(numRuns, seed) {
    fc.assert(
      fc.property(compactToken, (token) => check(JSON.stringify(token), parseActual(token), parseModel(token))),
      { numRuns, seed },
    )
  },
}

// ---------------------------------------------------------------------------------------------
// JWT verification (HS256 through Node's WebCrypto, a JWK Set of one or two keys)

const nodeVerifier: SignatureVerifier = {
  prefersJwkImport: () => true,
  importKey: (format, keyData, algorithm, extractable, usages) =>
    webcrypto.subtle.importKey(format as any, keyData as any, algorithm as any, extractable, usages),
  verify: (algorithm, key, signature, data) =>
    webcrypto.subtle.verify(algorithm as any, key as webcrypto.CryptoKey, signature, data),
  sign: (algorithm, key, data) => webcrypto.subtle.sign(algorithm as any, key as webcrypto.CryptoKey, data),
}
const ENDPOINT: JwksEndpoint = { url: 'https://idp.example/certs', location: '/jwks', refreshLocation: '/jwks/refresh' }

const SECRET = Buffer.from('0123456789abcdef0123456789abcdef', 'utf8')
const OTHER_SECRET = Buffer.from('fedcba9876543210fedcba9876543210', 'utf8')

const verificationCase = fc.record({
  claims: fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 5 }),
  kid: fc.constantFrom('main', 'other', 'missing', undefined),
  /** Which secret signs: the set's `main` key, its `other` key, or one the set does not hold. */
  signer: fc.constantFrom('main', 'other', 'stranger'),
  tamper: fc.constantFrom('none', 'none', 'none', 'payload', 'signature-bit', 'truncate', 'alg'),
  setHoldsOther: fc.boolean(),
  bit: fc.nat(),
})

type VerificationCase = typeof verificationCase extends fc.Arbitrary<infer T> ? T : never

const verifyModelSet = (holdsOther: boolean) => ({
  keys: [
    { kty: 'oct', kid: 'main', k: b64url(SECRET) },
    ...(holdsOther ? [{ kty: 'oct', kid: 'other', k: b64url(OTHER_SECRET) }] : []),
  ],
})

async function verificationProperty(c: VerificationCase) {
  const header: { [k: string]: unknown } = { alg: 'HS256', typ: 'JWT' }
  if (c.kid !== undefined) header.kid = c.kid
  const signingSecret = c.signer === 'main' ? SECRET : c.signer === 'other' ? OTHER_SECRET : Buffer.from('not in the set, 32 bytes long!!!')
  let head = b64url(JSON.stringify(header))
  let payload = b64url(JSON.stringify(c.claims))
  let signature = createHmac('sha256', signingSecret).update(head + '.' + payload).digest()
  if (c.tamper === 'payload') payload = b64url(JSON.stringify({ ...c.claims, sub: 'root' }))
  if (c.tamper === 'signature-bit') signature[c.bit % signature.length] ^= 1 << (c.bit % 8)
  if (c.tamper === 'truncate') signature = signature.subarray(0, signature.length - 1)
  if (c.tamper === 'alg') head = b64url(JSON.stringify({ ...header, alg: 'HS384' }))
  const token = head + '.' + payload + '.' + b64url(signature)

  // The model: HS256 only; the key is the one named by kid (a missing kid is an error even after
  // one refresh); without kid, a set of two HMAC keys is ambiguous; the signature is the HMAC of
  // what was sent under that key; then the claims are the payload's JSON.
  const set = verifyModelSet(c.setHoldsOther)
  let expected: Outcome<unknown>
  const alg = JSON.parse(Buffer.from(head, 'base64url').toString()).alg
  const key = c.kid === undefined ? (set.keys.length === 1 ? set.keys[0] : 'ambiguous') : set.keys.find((k) => k.kid === c.kid)
  if (alg !== 'HS256') expected = { code: ErrorCode.JwtAlgUnsupported }
  else if (signature.length !== 32) expected = { code: ErrorCode.JwtSignatureInvalid }
  else if (key === 'ambiguous') expected = { code: ErrorCode.JwtKeyAmbiguous }
  else if (key === undefined) expected = { code: ErrorCode.JwtKeyNotFound }
  else {
    const good = createHmac('sha256', Buffer.from(key.k, 'base64url')).update(head + '.' + payload).digest()
    expected = good.equals(signature) ? { ok: JSON.parse(Buffer.from(payload, 'base64url').toString()) } : { code: ErrorCode.JwtSignatureInvalid }
  }

  const asked: boolean[] = []
  const jwks: JwksSource = {
    get(_endpoint, refresh) {
      asked.push(refresh)
      return Promise.resolve(JSON.parse(JSON.stringify(set)))
    },
  }
  let actual: Outcome<unknown>
  try {
    const jws = parseCompactJws(token)
    actual = { ok: await verifyJws(jws, jwsAlgorithm(jws.header.alg, ['HS256']), ENDPOINT, { subtle: nodeVerifier, jwks }) }
  } catch (e) {
    const code = errorCode(e)
    actual = code === undefined ? { code, message: String(e) } : { code }
  }
  check(token, actual, expected)
  // At most one refresh, and only for a kid the cached set does not hold.
  if (asked.length > 2 || (asked.length === 2 && !(key === undefined && c.kid !== undefined))) {
    throw new Error(`${token}: asked the JWK Set ${JSON.stringify(asked)}`)
  }
  return true
}

const jwtVerification: PropertyTarget = {
  name: 'JWT verification (src/jwt/verify.ts, HS256, Node WebCrypto) vs an HMAC model',
  async run(numRuns, seed) {
    await fc.assert(fc.asyncProperty(verificationCase, verificationProperty), { numRuns, seed })
  },
}

// ---------------------------------------------------------------------------------------------
// The config compiler

const userEntry = fc.record({
  username: fc.string({ maxLength: 12 }),
  password: fc.string({ minLength: 1, maxLength: 24 }),
  roles: fc.array(fc.string({ maxLength: 8 }), { maxLength: 3 }),
})

const plainDocument = fc.record({
  realm: fc.string({ minLength: 1, maxLength: 12 }),
  name: fc.string({ minLength: 1, maxLength: 12 }),
  users: fc.array(userEntry, { maxLength: 4 }),
  exp: fc.integer({ min: 1, max: 10 ** 7 }),
})

function documentOf(p: { realm: string; name: string; users: unknown[]; exp: number }) {
  return {
    version: '2.0.0',
    store: { enabled: false },
    services: [],
    server: { port: 8080 },
    logging: { level: 'info', format: 'json' },
    jwt: { iss: 'me', exp: p.exp, secret: '0123456789abcdef0123456789abcdef' },
    providers: [{ type: 'plain', name: p.name, realm: p.realm, users: p.users }],
  }
}

/** The model of a valid document: users filed by prefixed username, clear passwords as SHA-256. */
function plainUsersModel(users: { username: string; password: string; roles: string[] }[]) {
  const model: { [key: string]: unknown[] } = {}
  for (const user of users) {
    const sha256 = createHash('sha256').update(user.password, 'utf8').digest('base64')
    ;(model[KEY_PREFIX + user.username] ??= []).push({ verifier: { form: 'plain', sha256 }, roles: user.roles })
  }
  return model
}

/** A valid document, a valid document with one value replaced or removed, or any text. */
const compilerCase = fc.oneof(
  { weight: 5, arbitrary: plainDocument.map((p) => ({ kind: 'valid' as const, p })) },
  {
    weight: 4,
    arbitrary: fc
      .tuple(plainDocument, fc.nat(), fc.option(fc.jsonValue({ maxDepth: 2 }), { nil: undefined }))
      .map(([p, at, value]) => ({ kind: 'mutated' as const, p, at, value })),
  },
  { weight: 1, arbitrary: fc.string({ maxLength: 80 }).map((text) => ({ kind: 'text' as const, text })) },
)

/** Every [parent, key] of a JSON tree, for the mutation arm. */
function slots(node: unknown, into: [any, string | number][] = []): [any, string | number][] {
  if (node !== null && typeof node === 'object') {
    for (const key of Object.keys(node)) {
      into.push([node, Array.isArray(node) ? Number(key) : key])
      slots((node as any)[key], into)
    }
  }
  return into
}

const configCompiler: PropertyTarget = {
  name: 'config compiler (src/compiler/compile.ts) vs a model of plain providers',
  async run(numRuns, seed) {
    fc.assert(
      fc.property(compilerCase, (c) => {
        let text: string
        if (c.kind === 'text') text = c.text
        else {
          const doc = documentOf(c.p)
          if (c.kind === 'mutated') {
            const all = slots(doc)
            const [parent, key] = all[c.at % all.length]
            if (c.value === undefined) {
              if (Array.isArray(parent)) parent.splice(key as number, 1)
              else delete parent[key]
            } else parent[key] = c.value
          }
          text = JSON.stringify(doc)
        }
        let result: ReturnType<typeof compileConfig>
        try {
          result = compileConfig({ path: 'config.yaml', text, env: {}, cwd: '/nonexistent-authotron-fuzz' })
        } catch (e) {
          throw new Error(`${JSON.stringify(text)}: the compiler threw ${String((e as Error)?.stack ?? e)}`)
        }
        // Exactly one of: a config, or errors naming what is wrong.
        if ((result.config === undefined) === (result.errors.length === 0)) {
          throw new Error(`${JSON.stringify(text)}: config ${result.config === undefined ? 'absent' : 'present'} with ${result.errors.length} errors`)
        }
        if (c.kind !== 'valid') return true
        if (result.config === undefined) throw new Error(`${JSON.stringify(text)}: a valid document was refused: ${result.errors.join('; ')}`)
        const provider = result.config.providers[0] as { realm: string; name: string; users: unknown }
        check(`${JSON.stringify(text)} users`, provider.users, plainUsersModel(c.p.users))
        check(`${JSON.stringify(text)} realm`, [provider.name, provider.realm, result.config.jwt.exp], [c.p.name, c.p.realm, c.p.exp])
        // No clear-text password of 8+ characters reaches the compiled file (a shorter one could
        // occur in it by chance).
        const compiled = JSON.stringify(result.config)
        for (const user of c.p.users) {
          if (user.password.length >= 8 && compiled.includes(JSON.stringify(user.password).slice(1, -1))) {
            throw new Error(`${JSON.stringify(text)}: the compiled config holds the password ${JSON.stringify(user.password)}`)
          }
        }
        return true
      }),
      { numRuns, seed },
    )
  },
}

export const PROPERTY_TARGETS: PropertyTarget[] = [
  headerGrammar,
  strictBase64,
  strictBase64url,
  jwtParsing,
  jwtVerification,
  configCompiler,
]
