import test from 'ava'
import { errorCode, ErrorCode } from '../../../src/errors'
import { parseHtpasswd, plainVerifier } from '../../../src/passwords/parse'
import { verifyPassword } from '../../../src/passwords/verify'
import { nodeCrypto } from '../../support/node-platform'

const utf8 = (text: string) => new Uint8Array(Buffer.from(text, 'utf8'))

/** Hashes for 'pässword' (openssl passwd -apr1 / passlib), shared by the cases below. */
const APR1 = '$apr1$Ab3/.x9Z$kv/0BcJE.cFsV7B/P.NVu1'
const SHA = '{SHA}I7dElEdfX4dJgLdnbVEeI9iG2mQ='
const SSHA = '{SSHA}+HafkagvRrpjxIzDCY+boxDXOCIBAgME'

test('parses every supported form, skipping comments and blank lines', async (t) => {
  const file = [
    '# users moved over from auth_basic',
    '',
    `alice:${APR1}`,
    '   ',
    `bob:${SHA}:Bob the builder`,
    '#carol:{PLAIN}disabled',
    `carol:${SSHA}`,
    'dave:{PLAIN}pässword',
    'erin:{PLAIN}',
    '',
  ].join('\n')
  const entries = parseHtpasswd(file, '/etc/nginx/htpasswd')
  t.deepEqual(
    entries.map((entry) => [entry.username, entry.verifier.form, entry.line]),
    [
      ['alice', 'md5crypt', 3],
      ['bob', 'sha1', 5],
      ['carol', 'ssha', 7],
      ['dave', 'plain', 8],
      ['erin', 'plain', 9],
    ],
  )
  for (const entry of entries.slice(0, 4)) {
    t.true(await verifyPassword(entry.verifier, utf8('pässword'), nodeCrypto), entry.username)
    t.false(await verifyPassword(entry.verifier, utf8('password'), nodeCrypto), entry.username)
  }
  t.deepEqual(entries[4].verifier, plainVerifier(''))
})

test('tolerates CRLF line ends and a missing final newline', (t) => {
  const entries = parseHtpasswd(`# windows\r\nalice:${APR1}\r\n\r\nbob:{PLAIN}x\r\nzed:${SHA}`, 'f')
  t.deepEqual(
    entries.map((entry) => [entry.username, entry.line]),
    [
      ['alice', 2],
      ['bob', 4],
      ['zed', 5],
    ],
  )
  t.deepEqual(entries[1].verifier, plainVerifier('x'))
})

test('keeps user names and {PLAIN} passwords verbatim, like nginx', (t) => {
  const [entry] = parseHtpasswd(' Alice Smith :{PLAIN} two words ', 'f')
  t.is(entry.username, ' Alice Smith ')
  t.deepEqual(entry.verifier, plainVerifier(' two words '))
})

test('a {PLAIN} password ends at the next colon (the rest is a comment), as in nginx', (t) => {
  const [entry] = parseHtpasswd('alice:{PLAIN}pass:word', 'f')
  t.deepEqual(entry.verifier, plainVerifier('pass'))
})

test('an empty file has no users', (t) => {
  t.deepEqual(parseHtpasswd('', 'f'), [])
  t.deepEqual(parseHtpasswd('# nobody yet\n', 'f'), [])
})

// [case, file, message pattern]; every message starts with `<source>:<line>: `.
const rejected: [string, string, RegExp][] = [
  [
    'missing colon',
    `# header\nalice${APR1}`,
    /^users\.htpasswd:2: expected `name:hash`, found no `:`$/,
  ],
  ['empty user name', `:${APR1}`, /^users\.htpasswd:1: the user name is empty$/],
  ['empty hash', 'alice:', /^users\.htpasswd:1: user "alice" has no password hash$/],
  [
    'empty hash before a comment',
    'alice::comment',
    /^users\.htpasswd:1: user "alice" has no password hash$/,
  ],
  [
    'bcrypt line',
    `alice:${APR1}\r\nbob:$2y$05$c4WoMPo3SXsafkva.HHa6uXQZWr7oboPiC2bT/r7q1BB8I2s0BRqC\r\n`,
    /^users\.htpasswd:2: user "bob": bcrypt hashes .* are not supported.*htpasswd -m/,
  ],
  [
    'SHA-crypt line',
    'alice:$6$saltsalt$qFmFH.bQmmtXzyBY0s9v7Oicd2z4XSIecDzlB5KiA2',
    /^users\.htpasswd:1: user "alice": SHA-crypt/,
  ],
  ['DES crypt line', 'alice:saHW9GdxihkGQ', /^users\.htpasswd:1: user "alice": .*DES crypt/],
  [
    'malformed apr1',
    'alice:$apr1$Ab3/.x9Z$kv/0BcJE',
    /^users\.htpasswd:1: user "alice": a \$apr1\$ hash must/,
  ],
  [
    'trailing space after a hash',
    `alice:${APR1} `,
    /^users\.htpasswd:1: user "alice": a \$apr1\$ hash must/,
  ],
  ['a stray CR inside a line', `alice:${APR1}\rbob:{PLAIN}x`, /^users\.htpasswd:1: user "alice"/],
  [
    'duplicate user',
    `alice:${APR1}\n# again\nalice:{PLAIN}x`,
    /^users\.htpasswd:3: user "alice" is already defined on line 1/,
  ],
]
for (const [name, file, message] of rejected) {
  test(`rejects ${name}`, (t) => {
    const error = t.throws(() => parseHtpasswd(file, 'users.htpasswd'))
    t.is(errorCode(error), ErrorCode.ConfigInvalid)
    t.regex(error!.message, message)
  })
}

test('error messages never echo the hash', (t) => {
  const hash = '$apr1$Ab3/.x9Z$kv/0BcJE.cFsV7B/P.NVu1X'
  const error = t.throws(() => parseHtpasswd(`alice:${hash}`, 'f'))
  t.false(error!.message.includes('kv/0BcJE'))
  t.false(error!.message.includes('Ab3/.x9Z'))
})
