import test from 'ava'
import fc from 'fast-check'
import { createHash } from 'node:crypto'
import type { PasswordVerifier } from '../../../src/config/compiled'
import { errorCode, ErrorCode } from '../../../src/errors'
import {
  DEFAULT_PBKDF2_ITERATIONS,
  hashPassword,
  parseStoredPassword,
  plainVerifier,
} from '../../../src/passwords/parse'
import { verifyPassword } from '../../../src/passwords/verify'
import { nodeCrypto } from '../../support/node-platform'

const utf8 = (text: string) => new Uint8Array(Buffer.from(text, 'utf8'))
const SALT_16_NOPAD = 'AAECAwQFBgcICQoLDA0ODw' // bytes 0..15
const HASH_32_NOPAD = 'T0Z5wUqa/rr8kWb7KeLsnYrEP6Go8Ns+sglAvd4sSjw'

test('plainVerifier keeps only the SHA-256 of the password', (t) => {
  const verifier = plainVerifier('pässword')
  t.deepEqual(verifier, {
    form: 'plain',
    sha256: createHash('sha256').update('pässword', 'utf8').digest('base64'),
  })
  t.false(JSON.stringify(verifier).includes('pässword'))
})

// Accepted spellings and the normalised verifier each becomes (binary fields: padded base64).
const accepted: [string, PasswordVerifier][] = [
  [
    `$pbkdf2-sha256$i=1000$${SALT_16_NOPAD}$${HASH_32_NOPAD}`,
    {
      form: 'pbkdf2',
      hash: 'SHA-256',
      iterations: 1000,
      salt: 'AAECAwQFBgcICQoLDA0ODw==',
      derived: 'T0Z5wUqa/rr8kWb7KeLsnYrEP6Go8Ns+sglAvd4sSjw=',
    },
  ],
  [
    // passlib: bare iteration count, `.` for `+`
    `$pbkdf2-sha256$1000$${SALT_16_NOPAD}$${HASH_32_NOPAD.replace('+', '.')}`,
    {
      form: 'pbkdf2',
      hash: 'SHA-256',
      iterations: 1000,
      salt: 'AAECAwQFBgcICQoLDA0ODw==',
      derived: 'T0Z5wUqa/rr8kWb7KeLsnYrEP6Go8Ns+sglAvd4sSjw=',
    },
  ],
  [
    `$pbkdf2-sha1$i=10000000$${SALT_16_NOPAD}${SALT_16_NOPAD}$${SALT_16_NOPAD}`,
    {
      form: 'pbkdf2',
      hash: 'SHA-1',
      iterations: 10_000_000,
      // 22 + 22 characters decode to 33 bytes: the last 2 characters carry one byte.
      salt: Buffer.from(`${SALT_16_NOPAD}${SALT_16_NOPAD}`, 'base64').toString('base64'),
      derived: 'AAECAwQFBgcICQoLDA0ODw==',
    },
  ],
  [
    `$pbkdf2-sha512$i=1$${SALT_16_NOPAD}$${'A'.repeat(86)}`,
    {
      form: 'pbkdf2',
      hash: 'SHA-512',
      iterations: 1,
      salt: 'AAECAwQFBgcICQoLDA0ODw==',
      derived: 'A'.repeat(86) + '==',
    },
  ],
  ['{SHA}I7dElEdfX4dJgLdnbVEeI9iG2mQ=', { form: 'sha1', digest: 'I7dElEdfX4dJgLdnbVEeI9iG2mQ=' }],
  [
    '{SSHA}+HafkagvRrpjxIzDCY+boxDXOCIBAgME',
    { form: 'ssha', digest: '+HafkagvRrpjxIzDCY+boxDXOCI=', salt: 'AQIDBA==' },
  ],
  [
    '$apr1$r31.....$HqJZimcKQFAMYayBlzkrA/',
    { form: 'md5crypt', magic: '$apr1$', salt: 'r31.....', hash: 'HqJZimcKQFAMYayBlzkrA/' },
  ],
  [
    '$1$$LP5.V3ajGqHDdXW6XwZQy.',
    { form: 'md5crypt', magic: '$1$', salt: '', hash: 'LP5.V3ajGqHDdXW6XwZQy.' },
  ],
]
for (const [stored, verifier] of accepted) {
  test(`parseStoredPassword accepts ${stored.slice(0, 40)}`, (t) => {
    t.deepEqual(parseStoredPassword(stored), verifier)
  })
}

// Each row: the stored string, and a word the message must contain (what the operator needs).
const rejected: [string, string, RegExp][] = [
  ['empty', '', /empty/],
  [
    'bcrypt $2y$',
    '$2y$05$c4WoMPo3SXsafkva.HHa6uXQZWr7oboPiC2bT/r7q1BB8I2s0BRqC',
    /bcrypt.*hash-password/,
  ],
  ['bcrypt $2a$', '$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy', /bcrypt/],
  ['bcrypt $2b$', '$2b$12$KIXQJ8sPYwJ3pI6oZ7cF7uYxQxU5sC6mVQmG0sK8a9Lr5ZqvV2e3K', /bcrypt/],
  [
    'SHA-crypt $5$',
    '$5$rounds=5000$saltsalt$Gbs4.B3B7HNz2Ho8i5aDNb4E/Tr.uXv6wL9ACc2y/O5',
    /SHA-crypt/,
  ],
  [
    'SHA-crypt $6$',
    '$6$saltsalt$qFmFH.bQmmtXzyBY0s9v7Oicd2z4XSIecDzlB5KiA2/jctKu9YterLp8wwnSq.qc.eoxqOmSuNp2xS0ktL3nh/',
    /SHA-crypt/,
  ],
  [
    'argon2',
    '$argon2id$v=19$m=65536,t=3,p=4$c29tZXNhbHQ$RdescudvJCsgt3ub+b+dWRWJTmaaJObG',
    /\$argon2id\$ hashes are not supported/,
  ],
  [
    "passlib's pbkdf2_sha1",
    '$pbkdf2$1000$AAECAwQFBgcICQoLDA0ODw$LXLUTXEwz3bsvdnCGyPh0mNzhGs',
    /\$pbkdf2\$ hashes are not supported/,
  ],
  ['DES crypt', 'saHW9GdxihkGQ', /DES crypt/],
  ['{PLAIN}', '{PLAIN}secret', /`password`/],
  ['{SSHA512}', '{SSHA512}AAAA', /\{SSHA512\} hashes are not supported/],
  ['{sha} lower case', '{sha}I7dElEdfX4dJgLdnbVEeI9iG2mQ=', /not supported/],
  ['clear text', 'hunter2!', /not a recognised password hash/],
  [
    'pbkdf2 variant',
    `$pbkdf2-sha384$i=1$${SALT_16_NOPAD}$${HASH_32_NOPAD}`,
    /\$pbkdf2-sha384\$ is not a supported PBKDF2 variant/,
  ],
  ['pbkdf2 missing field', `$pbkdf2-sha256$i=1$${SALT_16_NOPAD}`, /must have the form/],
  [
    'pbkdf2 extra field',
    `$pbkdf2-sha256$i=1$${SALT_16_NOPAD}$${HASH_32_NOPAD}$x`,
    /must have the form/,
  ],
  ['pbkdf2 zero iterations', `$pbkdf2-sha256$i=0$${SALT_16_NOPAD}$${HASH_32_NOPAD}`, /iterations/],
  ['pbkdf2 leading zero', `$pbkdf2-sha256$i=010$${SALT_16_NOPAD}$${HASH_32_NOPAD}`, /iterations/],
  [
    'pbkdf2 too many iterations',
    `$pbkdf2-sha256$i=10000001$${SALT_16_NOPAD}$${HASH_32_NOPAD}`,
    /iterations/,
  ],
  [
    'pbkdf2 iterations not a number',
    `$pbkdf2-sha256$i=1e5$${SALT_16_NOPAD}$${HASH_32_NOPAD}`,
    /iterations/,
  ],
  [
    'pbkdf2 other parameters',
    `$pbkdf2-sha256$i=1,l=32$${SALT_16_NOPAD}$${HASH_32_NOPAD}`,
    /iterations/,
  ],
  [
    'pbkdf2 15-byte salt',
    `$pbkdf2-sha256$i=1$AAECAwQFBgcICQoLDA0O$${HASH_32_NOPAD}`,
    /15 bytes.*njs WebCrypto/,
  ],
  [
    'pbkdf2 8-byte salt',
    `$pbkdf2-sha256$i=1$AAECAwQFBgc$${HASH_32_NOPAD}`,
    /8 bytes.*shorter than 16 bytes/,
  ],
  ['pbkdf2 65-byte salt', `$pbkdf2-sha256$i=1$${'A'.repeat(87)}$${HASH_32_NOPAD}`, /65 bytes/],
  [
    'pbkdf2 padded salt',
    `$pbkdf2-sha256$i=1$${SALT_16_NOPAD}==$${HASH_32_NOPAD}`,
    /salt is not standard base64/,
  ],
  [
    'pbkdf2 url-safe salt',
    `$pbkdf2-sha256$i=1$${SALT_16_NOPAD.slice(0, -1)}_$${HASH_32_NOPAD}`,
    /salt is not/,
  ],
  [
    'pbkdf2 non-canonical salt',
    `$pbkdf2-sha256$i=1$AAECAwQFBgcICQoLDA0ODx$${HASH_32_NOPAD}`,
    /salt is not/,
  ],
  [
    'pbkdf2 impossible length',
    `$pbkdf2-sha256$i=1$${SALT_16_NOPAD}$${HASH_32_NOPAD}AA`,
    /hash is not/,
  ],
  [
    'PHC with passlib alphabet',
    `$pbkdf2-sha256$i=1$${SALT_16_NOPAD}$${HASH_32_NOPAD.replace('+', '.')}`,
    /hash is not standard base64/,
  ],
  [
    'passlib with standard alphabet',
    `$pbkdf2-sha256$1$${SALT_16_NOPAD}$${HASH_32_NOPAD}`,
    /hash is not passlib's adapted base64/,
  ],
  ['pbkdf2 15-byte hash', `$pbkdf2-sha256$i=1$${SALT_16_NOPAD}$AAECAwQFBgcICQoLDA0O`, /15 bytes/],
  ['{SHA} too short', '{SHA}I7dElEdfX4dJgLdnbVEeI9iG2g==', /20-byte/],
  ['{SHA} unpadded', '{SHA}I7dElEdfX4dJgLdnbVEeI9iG2mQ', /20-byte/],
  ['{SHA} with whitespace', '{SHA}I7dElEdfX4dJgLdnbVEeI9iG2mQ= ', /20-byte/],
  ['{SSHA} without salt', '{SSHA}I7dElEdfX4dJgLdnbVEeI9iG2mQ=', /salt of 1 to 64 bytes/],
  ['{SSHA} not base64', '{SSHA}+HafkagvRrpjxIzDCY+boxDXOCIBAgM!', /\{SSHA\}/],
  ['apr1 salt too long', '$apr1$123456789$HqJZimcKQFAMYayBlzkrA/', /up to 8/],
  ['apr1 hash too short', '$apr1$r31.....$HqJZimcKQFAMYayBlzkr/', /22 characters/],
  ['apr1 bad character', '$apr1$r31.....$HqJZimcKQFAMYayBlzkrA+', /22 characters/],
  ['apr1 non-canonical last character', '$apr1$r31.....$HqJZimcKQFAMYayBlzkrA2', /22 characters/],
  ['apr1 no salt separator', '$apr1$HqJZimcKQFAMYayBlzkrA/', /\$apr1\$<salt>\$<hash>/],
  ['$1$ trailing text', '$1$saltsalt$qjXMvbEw8oaL.CzflDtaK/x', /\$1\$<salt>\$<hash>/],
]
for (const [name, stored, message] of rejected) {
  test(`parseStoredPassword rejects ${name}`, (t) => {
    const error = t.throws(() => parseStoredPassword(stored))
    t.is(errorCode(error), ErrorCode.ConfigInvalid)
    t.is((error as { path?: string }).path, undefined)
    t.regex(error!.message, message)
    // The message names the form, never the stored value (nor any long piece of it).
    const secretPart = stored.replace(/^(\$[^$]*\$|\{[^}]*\})/, '')
    if (secretPart.length >= 8)
      t.false(error!.message.includes(secretPart.slice(-8)), error!.message)
  })
}

// ---- hashPassword --------------------------------------------------------------------------

test('hashPassword: PHC form, default iterations, 16-byte salt, 32-byte hash', async (t) => {
  const stored = hashPassword('pässword')
  t.regex(stored, /^\$pbkdf2-sha256\$i=100000\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/)
  t.is(DEFAULT_PBKDF2_ITERATIONS, 100_000)
  const verifier = parseStoredPassword(stored)
  t.true(await verifyPassword(verifier, utf8('pässword'), nodeCrypto))
  t.false(await verifyPassword(verifier, utf8('password'), nodeCrypto))
})

test('hashPassword salts every hash', (t) => {
  t.not(hashPassword('same', { iterations: 1 }), hashPassword('same', { iterations: 1 }))
})

for (const iterations of [0, -1, 1.5, 10_000_001, Number.NaN]) {
  test(`hashPassword refuses ${iterations} iterations`, (t) => {
    const error = t.throws(() => hashPassword('pw', { iterations }))
    t.is(errorCode(error), ErrorCode.ConfigInvalid)
  })
}

test('hashPassword → parse → verify round-trips any password', async (t) => {
  await fc.assert(
    fc.asyncProperty(
      fc.string({ unit: 'grapheme', maxLength: 30 }),
      fc.string({ unit: 'grapheme', maxLength: 30 }),
      async (password, other) => {
        const verifier = parseStoredPassword(hashPassword(password, { iterations: 3 }))
        const accepts = await verifyPassword(verifier, utf8(password), nodeCrypto)
        const acceptsOther = await verifyPassword(verifier, utf8(other), nodeCrypto)
        return accepts && acceptsOther === (other === password)
      },
    ),
    { numRuns: 200 },
  )
  t.pass()
})
