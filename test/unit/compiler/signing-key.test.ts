import test from 'ava'
import { calculateJwkThumbprint, createLocalJWKSet, jwtVerify, decodeProtectedHeader } from 'jose'
import { createPrivateKey, createPublicKey } from 'node:crypto'
import { chmodSync } from 'node:fs'
import { compileConfig } from '../../../src/compiler/compile'
import { jwkThumbprint } from '../../../src/compiler/signing-key'
import { signToken } from '../../../src/jwt/sign'
import { configText } from './support'
import { ecKey, ed25519Key, keyFolder, pkcs8Pem, rsaKey, spkiPem } from '../support/signing-keys'
import { testCrypto } from '../support/platform'

const keys = keyFolder()
const rsa = rsaKey()
const ec = ecKey()
const rsaFile = keys.write('rsa.pem', pkcs8Pem(rsa))
const ecFile = keys.write('ec.pem', pkcs8Pem(ec))

/** Compiles with relative paths starting at the key folder, as `authotron compile` in that folder. */
function compileJwt(jwt: string) {
  return compileConfig({ path: 'config.yaml', text: configText({ jwt }), env: {}, cwd: keys.dir })
}

test('RS256: the key file is compiled to PKCS#8, the JWK Set holds its public half with kid, alg, use', async (t) => {
  const result = compileJwt('jwt: {iss: me, exp: 3600, alg: RS256, private_key_file: rsa.pem}')
  t.deepEqual(result.errors, [])
  const jwt = result.config!.jwt
  t.is(jwt.alg, 'RS256')
  t.is(jwt.secret, undefined)
  t.is(createPrivateKey({ key: Buffer.from(jwt.signingKey!.pkcs8, 'base64'), format: 'der', type: 'pkcs8' }).asymmetricKeyType, 'rsa')
  const set = JSON.parse(jwt.jwks!)
  t.is(set.keys.length, 1)
  const published = set.keys[0]
  t.like(published, { kty: 'RSA', use: 'sig', alg: 'RS256' })
  t.is(published.kid, await calculateJwkThumbprint(createPublicKey(rsa).export({ format: 'jwk' }) as any))
  t.is(jwt.signingKey!.kid, published.kid)
  t.deepEqual(JSON.parse(Buffer.from(jwt.signingKey!.header, 'base64url').toString()), { typ: 'JWT', alg: 'RS256', kid: published.kid })
  // No private member is published.
  t.false('d' in published || 'p' in published)
  // No precomputed Basic table: asymmetric tokens take the full pipeline.
  t.is(result.config!.precomputedBasic, undefined)
})

test('ES256 with a configured kid; tokens signed with the compiled key verify with jose against the set', async (t) => {
  const result = compileJwt('jwt: {iss: me, exp: 3600, alg: ES256, private_key_file: ec.pem, kid: "2026-12"}')
  t.deepEqual(result.errors, [])
  const jwt = result.config!.jwt
  const token = await signToken('{"sub":"r-a","exp":4102444800}', jwt, testCrypto)
  t.deepEqual(decodeProtectedHeader(token), { typ: 'JWT', alg: 'ES256', kid: '2026-12' })
  const { payload } = await jwtVerify(token, createLocalJWKSet(JSON.parse(jwt.jwks!)), { algorithms: ['ES256'] })
  t.is(payload.sub, 'r-a')
})

test('PKCS#1 (RSA) and SEC1 (EC) PEM files are accepted as well', (t) => {
  const pkcs1 = keys.write('rsa-pkcs1.pem', rsa.export({ type: 'pkcs1', format: 'pem' }) as string)
  const sec1 = keys.write('ec-sec1.pem', ec.export({ type: 'sec1', format: 'pem' }) as string)
  t.deepEqual(compileJwt(`jwt: {iss: me, exp: 3600, alg: RS256, private_key_file: ${pkcs1}}`).errors, [])
  t.deepEqual(compileJwt(`jwt: {iss: me, exp: 3600, alg: ES256, private_key_file: ${sec1}}`).errors, [])
})

test('a key file that cannot be read is an error naming the key path and the file', (t) => {
  t.deepEqual(compileJwt('jwt: {iss: me, exp: 3600, alg: RS256, private_key_file: keys/missing.pem}').errors, [
    'jwt.private_key_file (config.yaml:6:57): cannot read keys/missing.pem: no such file or directory',
  ])
})

const refused: [string, string, string, RegExp][] = [
  ['alg/key mismatch: RS256 with an EC key', 'RS256', 'ec.pem', /ec\.pem: alg RS256 needs an RSA key; this is an EC key on curve prime256v1/],
  ['alg/key mismatch: ES256 with an RSA key', 'ES256', 'rsa.pem', /rsa\.pem: alg ES256 needs an EC key on curve P-256/],
  ['alg/key mismatch: EdDSA with an RSA key', 'EdDSA', 'rsa.pem', /alg EdDSA needs an Ed25519 key/],
  ['ES256 with a P-384 key', 'ES256', 'p384.pem', /on curve secp384r1/],
  ['RS256 with a 1024-bit key', 'RS256', 'rsa1024.pem', /at least 2048 bits; this one has 1024/],
  ['an encrypted key', 'RS256', 'encrypted.pem', /encrypted\.pem: the private key is encrypted/],
  ['a public key', 'RS256', 'public.pem', /public\.pem: holds a public key or certificate, not a private key/],
  ['not PEM', 'RS256', 'garbage.pem', /garbage\.pem: not a PEM private key/],
]
keys.write('p384.pem', pkcs8Pem(ecKey('P-384')))
keys.write('rsa1024.pem', pkcs8Pem(rsaKey(1024)))
keys.write('encrypted.pem', rsa.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'x' }) as string)
keys.write('public.pem', spkiPem(rsa))
keys.write('garbage.pem', 'hello\n')
for (const [title, alg, file, message] of refused) {
  test(`refused at compile time, with the key path: ${title}`, (t) => {
    const { errors, config } = compileJwt(`jwt: {iss: me, exp: 3600, alg: ${alg}, private_key_file: ${file}}`)
    t.is(config, undefined)
    t.is(errors.length, 1)
    t.true(errors[0].startsWith('jwt.private_key_file (config.yaml:6:'), errors[0])
    t.regex(errors[0], message)
  })
}

test('alg RS256 without a key file, HS256 without a secret, and a key file with HS256 are errors', (t) => {
  t.deepEqual(compileJwt('jwt: {iss: me, exp: 3600, alg: RS256}').errors, ['jwt.private_key_file (config.yaml:6:1): required key missing'])
  t.deepEqual(compileJwt('jwt: {iss: me, exp: 3600}').errors, ['jwt.secret (config.yaml:6:1): required key missing'])
  t.regex(
    compileJwt('jwt: {iss: me, exp: 3600, secret: 0123456789abcdef0123456789abcdef, private_key_file: rsa.pem}').errors.join('\n'),
    /^jwt\.private_key_file \(config\.yaml:6:\d+\): only used with alg RS256, ES256, EdDSA/,
  )
  t.deepEqual(compileJwt('jwt: {iss: me, exp: 3600, alg: PS256, private_key_file: rsa.pem}').errors, [
    "jwt.alg (config.yaml:6:32): expected one of 'HS256', 'RS256', 'ES256', 'EdDSA'",
  ])
})

test('a secret beside an asymmetric alg is a warning; a key file others can read too', (t) => {
  const open = keys.write('open.pem', pkcs8Pem(rsa))
  chmodSync(open, 0o644)
  const result = compileJwt('jwt: {iss: me, exp: 3600, alg: RS256, private_key_file: open.pem, secret: x}')
  t.deepEqual(result.errors, [])
  t.is(result.warnings.length, 2)
  t.regex(result.warnings.join('\n'), /jwt\.secret .*unused: with alg RS256/)
  t.regex(result.warnings.join('\n'), /jwt\.private_key_file .*open\.pem is readable by every user/)
})

test('EdDSA compiles, with a warning that names the runtimes lacking Ed25519', (t) => {
  keys.write('ed.pem', pkcs8Pem(ed25519Key()))
  const result = compileJwt('jwt: {iss: me, exp: 3600, alg: EdDSA, private_key_file: ed.pem}')
  t.deepEqual(result.errors, [])
  t.regex(result.warnings.join('\n'), /^jwt\.alg .*EdDSA minting needs Ed25519 in the runtime's WebCrypto \(njs >= 0\.9\.7\): njs 0\.7\.9, 0\.8\.9 and Debian's 1\.0\.2/)
  t.like(JSON.parse(result.config!.jwt.jwks!).keys[0], { kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA', use: 'sig' })
})

test('rotation: previous public keys are published after the signing key, with their own alg and kid', async (t) => {
  const old = rsaKey()
  keys.write('old-rsa.pub', spkiPem(old))
  const oldEc = ecKey()
  keys.write('old-ec.pem', pkcs8Pem(oldEc))
  const result = compileJwt(
    'jwt: {iss: me, exp: 3600, alg: ES256, private_key_file: ec.pem, previous_public_key_files: [old-rsa.pub, {file: old-ec.pem, kid: k1}]}',
  )
  t.deepEqual(result.errors, [])
  const set = JSON.parse(result.config!.jwt.jwks!)
  t.deepEqual(
    set.keys.map((key: any) => [key.kty, key.alg, key.kid]),
    [
      ['EC', 'ES256', await calculateJwkThumbprint(createPublicKey(ec).export({ format: 'jwk' }) as any)],
      ['RSA', 'RS256', await calculateJwkThumbprint(createPublicKey(old).export({ format: 'jwk' }) as any)],
      ['EC', 'ES256', 'k1'],
    ],
  )
})

test('rotation: the same key twice, an unreadable file, an unusable key are errors naming the item', (t) => {
  keys.write('p384.pub', spkiPem(ecKey('P-384')))
  const errors = compileJwt(
    'jwt: {iss: me, exp: 3600, alg: ES256, private_key_file: ec.pem, previous_public_key_files: [ec.pem, {file: nope.pem}, p384.pub, 7]}',
  ).errors
  t.is(errors.length, 4, errors.join('\n'))
  t.regex(errors.join('\n'), /jwt\.previous_public_key_files\[0\] .*ec\.pem: kid ".*" is already published/)
  t.regex(errors.join('\n'), /jwt\.previous_public_key_files\[1\]\.file .*cannot read nope\.pem: no such file/)
  t.regex(errors.join('\n'), /jwt\.previous_public_key_files\[2\] .*p384\.pub: an EC key on curve secp384r1; expected/)
  t.regex(errors.join('\n'), /jwt\.previous_public_key_files\[3\] .*expected a file path or \{ file, kid \}/)
})

test('the RFC 7638 thumbprint equals jose\'s for RSA, EC and OKP keys (and the RFC\'s own example)', async (t) => {
  for (const key of [rsa, ec, ed25519Key()]) {
    const jwk = createPublicKey(key).export({ format: 'jwk' }) as any
    t.is(jwkThumbprint(jwk), await calculateJwkThumbprint(jwk))
  }
  // RFC 7638 §3.1.
  const example = {
    kty: 'RSA',
    n: '0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw',
    e: 'AQAB',
    alg: 'RS256',
    kid: '2011-04-29',
  }
  t.is(jwkThumbprint(example), 'NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs')
})
