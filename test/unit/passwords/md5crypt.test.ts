import test from 'ava'
import fc from 'fast-check'
import { execFileSync } from 'node:child_process'
import { md5Crypt, type Md5CryptMagic } from '../../../src/passwords/md5crypt'
import { nodeCrypto } from '../../support/node-platform'

/**
 * Generated with `openssl passwd -apr1 -salt <salt> <password>` / `openssl passwd -1 …` (OpenSSL
 * 3.0.19). The `myPassword` row is also the example in Apache's htpasswd documentation, and
 * `$1$saltsalt$qjX…` the classic FreeBSD vector.
 */
const OPENSSL_VECTORS: [password: string, stored: string][] = [
  ['myPassword', '$apr1$r31.....$HqJZimcKQFAMYayBlzkrA/'],
  ['pässword', '$apr1$Ab3/.x9Z$kv/0BcJE.cFsV7B/P.NVu1'],
  ['', '$apr1$salt$AnXM5PAEa9T4ruYbwPoUh/'],
  ['pass:word', '$apr1$zz$EyRohny/vr2/xRuiy9zLj/'],
  ['exactly16bytes!!', '$apr1$12345678$7K4LHBxCDc3CoV.eVIENs.'],
  ['The quick brown fox jumps over the lazy dog, twice', '$apr1$./0zAZ9y$pp7r2Dk1Dtjd53HfimtW2.'],
  ['password', '$1$saltsalt$qjXMvbEw8oaL.CzflDtaK/'],
  ['', '$1$saltsalt$5Jhcit4zN9UlGiA0txPkO0'],
  ['x', '$1$$LP5.V3ajGqHDdXW6XwZQy.'],
  ['🔐 ünïcødé', '$1$a$vOe8MPemgoYb0u9GiXzQp.'],
  ['pass:word:with:colons', '$1$Qw/.e$SW/1N8bXNlMgpPff1sOtA/'],
  ['0123456789abcdef0', '$1$abcdefgh$y0Mn5bbF7lpfSoWBUN1l41'],
]

function split(stored: string): { magic: Md5CryptMagic; salt: string; hash: string } {
  const magic: Md5CryptMagic = stored.startsWith('$apr1$') ? '$apr1$' : '$1$'
  const [salt, hash] = stored.slice(magic.length).split('$')
  return { magic, salt, hash }
}

for (const [password, stored] of OPENSSL_VECTORS) {
  test(`md5Crypt reproduces ${stored}`, (t) => {
    const { magic, salt, hash } = split(stored)
    t.is(md5Crypt(Buffer.from(password, 'utf8'), magic, salt, nodeCrypto), hash)
  })
}

test('md5Crypt: the magic changes the hash', (t) => {
  const password = Buffer.from('password')
  t.not(
    md5Crypt(password, '$1$', 'saltsalt', nodeCrypto),
    md5Crypt(password, '$apr1$', 'saltsalt', nodeCrypto),
  )
})

function opensslAvailable(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}

// Random passwords and salts against the openssl binary, when there is one. Passwords avoid NUL
// (impossible in argv) and stay valid UTF-8 so argv carries them byte for byte; `--` keeps a
// password such as `-x` from being read as an option.
const openssl = opensslAvailable() ? test : test.skip
openssl('md5Crypt matches `openssl passwd` on random inputs', (t) => {
  const saltCharacter = fc.constantFrom(
    ...'./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz',
  )
  fc.assert(
    fc.property(
      fc.string({ unit: 'grapheme', maxLength: 40 }).filter((s) => !s.includes('\0')),
      fc.string({ unit: saltCharacter, minLength: 1, maxLength: 8 }),
      fc.constantFrom<Md5CryptMagic>('$apr1$', '$1$'),
      (password, salt, magic) => {
        const flag = magic === '$apr1$' ? '-apr1' : '-1'
        const expected = execFileSync('openssl', ['passwd', flag, '-salt', salt, '--', password], {
          encoding: 'utf8',
        }).trim()
        const hash = md5Crypt(Buffer.from(password), magic, salt, nodeCrypto)
        const computed = `${magic}${salt}$${hash}`
        t.is(computed, expected)
        return computed === expected
      },
    ),
    { numRuns: 60 },
  )
})
