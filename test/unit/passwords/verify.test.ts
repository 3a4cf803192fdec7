import test from 'ava'
import fc from 'fast-check'
import { createHash, pbkdf2Sync } from 'node:crypto'
import type { PasswordVerifier } from '../../../src/config/compiled'
import { errorCode, ErrorCode } from '../../../src/errors'
import { hashPassword, parseStoredPassword, plainVerifier } from '../../../src/passwords/parse'
import { constantTimeEqual, verifyPassword } from '../../../src/passwords/verify'
import { nodeCrypto } from '../../support/node-platform'

const utf8 = (text: string) => new Uint8Array(Buffer.from(text, 'utf8'))
const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64')
const b64NoPad = (bytes: Uint8Array) => b64(bytes).replace(/=+$/, '')
const sha1 = (...parts: Uint8Array[]) => {
  const hash = createHash('sha1')
  for (const part of parts) hash.update(part)
  return hash.digest()
}
const SALT_16 = new Uint8Array([...Array(16).keys()])

// Stored forms built here independently of src/passwords, so the tests check the algorithms and
// not just that parse and verify agree with each other.
const FORMS: { name: string; store: (password: string) => PasswordVerifier }[] = [
  { name: 'plain', store: (password) => plainVerifier(password) },
  { name: '{SHA}', store: (password) => parseStoredPassword(`{SHA}${b64(sha1(utf8(password)))}`) },
  {
    name: '{SSHA} (4-byte salt)',
    store: (password) => {
      const salt = new Uint8Array([0xde, 0xad, 0xbe, 0xef])
      return parseStoredPassword(`{SSHA}${b64(Buffer.concat([sha1(utf8(password), salt), salt]))}`)
    },
  },
  {
    name: '$pbkdf2-sha256$ (PHC)',
    store: (password) =>
      parseStoredPassword(
        `$pbkdf2-sha256$i=1000$${b64NoPad(SALT_16)}$` +
          b64NoPad(pbkdf2Sync(utf8(password), SALT_16, 1000, 32, 'sha256')),
      ),
  },
  {
    name: '$pbkdf2-sha1$ (PHC, 20-byte hash)',
    store: (password) =>
      parseStoredPassword(
        `$pbkdf2-sha1$i=7$${b64NoPad(SALT_16)}$` +
          b64NoPad(pbkdf2Sync(utf8(password), SALT_16, 7, 20, 'sha1')),
      ),
  },
  {
    name: '$pbkdf2-sha512$ (passlib spelling)',
    store: (password) =>
      parseStoredPassword(
        `$pbkdf2-sha512$25$${b64NoPad(SALT_16).replace(/\+/g, '.')}$` +
          b64NoPad(pbkdf2Sync(utf8(password), SALT_16, 25, 64, 'sha512')).replace(/\+/g, '.'),
      ),
  },
  {
    name: 'hashPassword',
    store: (password) => parseStoredPassword(hashPassword(password, { iterations: 10 })),
  },
]

const PASSWORDS = ['correct horse battery staple', '', 'pässword 🔐', 'pass:word', ' spaced ']

for (const form of FORMS) {
  for (const password of PASSWORDS) {
    const label = `${form.name} stored for ${JSON.stringify(password)}`
    test(`${label}: accepts it, rejects near misses`, async (t) => {
      const verifier = form.store(password)
      t.true(await verifyPassword(verifier, utf8(password), nodeCrypto))
      const nearMisses = [
        password + 'x',
        password.slice(1),
        password.toUpperCase(),
        password.trim(),
        '',
      ]
      for (const wrong of nearMisses.filter((candidate) => candidate !== password)) {
        t.false(await verifyPassword(verifier, utf8(wrong), nodeCrypto), JSON.stringify(wrong))
      }
    })
  }
}

// Vectors written by Python's passlib 1.7.4 (an independent implementation), for 'pässword'.
const PASSLIB_VECTORS = [
  '$pbkdf2-sha256$1000$AAECAwQFBgcICQoLDA0ODw$T0Z5wUqa/rr8kWb7KeLsnYrEP6Go8Ns.sglAvd4sSjw',
  '$pbkdf2-sha512$1000$AAECAwQFBgcICQoLDA0ODw$y/eRj2FwHgs6A0d8wKheOWOR5PjlKZUVEID5K8lrpY3fVCUnILd/a7SvXHROar5bA9d3J9zVifnM9vYjy0q8ZQ',
  '{SSHA}+HafkagvRrpjxIzDCY+boxDXOCIBAgME',
  '{SHA}I7dElEdfX4dJgLdnbVEeI9iG2mQ=',
]
for (const stored of PASSLIB_VECTORS) {
  test(`passlib vector ${stored.slice(0, 16)}…`, async (t) => {
    const verifier = parseStoredPassword(stored)
    t.true(await verifyPassword(verifier, utf8('pässword'), nodeCrypto))
    t.false(await verifyPassword(verifier, utf8('password'), nodeCrypto))
  })
}

test('every form but pbkdf2 answers synchronously', (t) => {
  for (const form of FORMS) {
    const result = verifyPassword(form.store('pw'), utf8('pw'), nodeCrypto)
    if (form.name.startsWith('$pbkdf2') || form.name === 'hashPassword') {
      t.true(result instanceof Promise, form.name)
    } else {
      t.is(result, true, form.name)
    }
  }
})

test('md5crypt: the apr1 and $1$ forms use their own magic', (t) => {
  const apr1 = parseStoredPassword('$apr1$r31.....$HqJZimcKQFAMYayBlzkrA/')
  t.true(verifyPassword(apr1, utf8('myPassword'), nodeCrypto))
  t.false(verifyPassword(apr1, utf8('mypassword'), nodeCrypto))
  t.false(
    verifyPassword(
      { ...(apr1 as object), magic: '$1$' } as PasswordVerifier,
      utf8('myPassword'),
      nodeCrypto,
    ),
  )
})

test('an unknown form throws ERR_PASSWORD_FORM_UNSUPPORTED', (t) => {
  const fromTheFuture = { form: 'argon2id' } as unknown as PasswordVerifier
  const error = t.throws(() => verifyPassword(fromTheFuture, utf8('pw'), nodeCrypto))
  t.is(errorCode(error), ErrorCode.PasswordFormUnsupported)
})

test('a PBKDF2 failure in the runtime rejects instead of answering false', async (t) => {
  // A short salt only gets here by editing the compiled JSON. njs refuses it; so does nodeCrypto.
  const verifier: PasswordVerifier = {
    form: 'pbkdf2',
    hash: 'SHA-256',
    iterations: 1,
    salt: b64(new Uint8Array(8)),
    derived: b64(new Uint8Array(32)),
  }
  await t.throwsAsync(async () => verifyPassword(verifier, utf8('pw'), nodeCrypto))
})

// ---- constantTimeEqual -----------------------------------------------------------------------

const comparisons: [string, number[], number[], boolean][] = [
  ['both empty', [], [], true],
  ['equal', [1, 2, 3], [1, 2, 3], true],
  ['first byte differs', [0, 2, 3], [1, 2, 3], false],
  ['last byte differs', [1, 2, 3], [1, 2, 4], false],
  ['one bit differs', [0x80], [0x00], false],
  ['prefix', [1, 2], [1, 2, 3], false],
  ['longer', [1, 2, 3, 4], [1, 2, 3], false],
  ['empty vs one byte', [], [0], false],
]
for (const [name, a, b, expected] of comparisons) {
  test(`constantTimeEqual: ${name}`, (t) => {
    t.is(constantTimeEqual(new Uint8Array(a), new Uint8Array(b)), expected)
    t.is(constantTimeEqual(new Uint8Array(b), new Uint8Array(a)), expected)
  })
}

test('constantTimeEqual agrees with Buffer.equals', (t) => {
  fc.assert(
    fc.property(
      fc.uint8Array({ maxLength: 8 }),
      fc.uint8Array({ maxLength: 8 }),
      (a, b) =>
        constantTimeEqual(a, b) === Buffer.from(a).equals(Buffer.from(b)) &&
        constantTimeEqual(a, Uint8Array.from(a)),
    ),
  )
  t.pass()
})

test('constantTimeEqual on digest-sized arrays (four bytes a step): a difference in any byte is found', (t) => {
  const digest = Uint8Array.from({ length: 32 }, (_, i) => i * 7)
  t.true(constantTimeEqual(digest, Uint8Array.from(digest)))
  for (let i = 0; i < digest.length; i++) {
    const other = Uint8Array.from(digest)
    other[i] ^= 1 << (i % 8)
    t.false(constantTimeEqual(digest, other), `byte ${i}`)
  }
})

test('constantTimeEqual on unaligned views takes the byte path and agrees', (t) => {
  const backing = Uint8Array.from({ length: 33 }, (_, i) => i)
  const unaligned = backing.subarray(1)
  t.true(constantTimeEqual(unaligned, Uint8Array.from(unaligned)))
  const other = Uint8Array.from(unaligned)
  other[31] ^= 0x80
  t.false(constantTimeEqual(unaligned, other))
  t.false(constantTimeEqual(other, unaligned))
})
