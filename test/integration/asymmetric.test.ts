/**
 * Asymmetric minting (issue 18 point 3; docs/jwt.md, "Asymmetric minting") against real nginx on
 * every runtime leg: RS256 and ES256 tokens from /authenticate and through auth_request, verified
 * with jose against the JWK Set nginx publishes at /.well-known/jwks.json (kid, alg, use,
 * rotation's previous keys), the grant cache serving them unchanged, and EdDSA's clear failure on
 * runtimes whose WebCrypto lacks Ed25519.
 */
import test from 'ava'
import { calculateJwkThumbprint, createRemoteJWKSet, SignJWT, decodeProtectedHeader, jwtVerify, type JWK } from 'jose'
import { createPublicKey, type KeyObject } from 'node:crypto'
import { withNginxOnEveryLeg } from '../support/suite'
import type { NginxServer } from '../nginx-harness/nginx'
import { ecKey, ed25519Key, keyFolder, pkcs8Pem, rsaKey, spkiPem } from '../unit/support/signing-keys'
import { protectedApiConf } from './protected-api-conf'
import { basicHeader, header, rawRequest } from './http-client'

const keys = keyFolder()
const rsa = rsaKey()
const ec = ecKey()
const retiredRsa = rsaKey()
const ed = ed25519Key()
const files = {
  rsa: keys.write('rsa.pem', pkcs8Pem(rsa)),
  ec: keys.write('ec-sec1.pem', ec.export({ type: 'sec1', format: 'pem' }) as string),
  retiredRsa: keys.write('retired.pub', spkiPem(retiredRsa)),
  ed: keys.write('ed.pem', pkcs8Pem(ed)),
}

function configWith(jwt: string, extra = ''): string {
  return `
version: 2.0.0${extra}
logging: {level: info, format: console}
store: {enabled: false}
services: []
server: {port: 8080}
jwt: {exp: 3600, iss: authotron-test, ${jwt}}
providers:
  - {type: plain, name: local, realm: localrealm, users: [{username: adam, password: secret123, roles: [ops]}]}
`
}

const GOOD = basicHeader('adam', 'secret123')
const conf = protectedApiConf

const rs256 = withNginxOnEveryLeg(test, {
  label: 'rs256',
  // With sessions (docs/sessions.md): our own tokens are accepted back, verified with the published keys.
  config: configWith(`alg: RS256, private_key_file: "${files.rsa}", previous_public_key_files: ["${files.retiredRsa}"]`, '\nsession: {cookie_secure: false}'),
  portNames: ['backend'],
  conf,
})
const es256 = withNginxOnEveryLeg(test, {
  label: 'es256',
  config: configWith(`alg: ES256, private_key_file: "${files.ec}", kid: es-2026-12`),
  portNames: ['backend'],
  conf,
})
const eddsa = withNginxOnEveryLeg(test, {
  label: 'eddsa',
  config: configWith(`alg: EdDSA, private_key_file: "${files.ed}"`),
  portNames: ['backend'],
  conf,
})

function thumbprint(key: KeyObject): Promise<string> {
  return calculateJwkThumbprint(createPublicKey(key).export({ format: 'jwk' }) as JWK)
}

async function authenticate(nginx: NginxServer): Promise<string> {
  const response = await rawRequest(nginx.port, '/authenticate', [GOOD])
  if (response.status !== 200) throw new Error(`/authenticate answered ${response.status}`)
  return (header(response, 'authorization') ?? '').replace(/^Bearer /, '')
}

/** The token the backend behind auth_request (or js_access, `/access/`) received. */
async function tokenAtBackend(nginx: NginxServer, prefix = '/api/'): Promise<string> {
  const response = await fetch(nginx.url(prefix + 'x'), { headers: { Authorization: GOOD.replace(/^Authorization: /, '') } })
  const body = await response.text()
  const match = /^authorization=Bearer (\S+)$/m.exec(body)
  if (response.status !== 200 || match === null) throw new Error(`${prefix}x answered ${response.status}: ${body}`)
  return match[1]
}

rs256.test('RS256: /.well-known/jwks.json publishes the signing key (RFC 7638 kid) and the retired one, public members only', async (t, nginx) => {
  const response = await fetch(nginx.url('/.well-known/jwks.json'))
  t.is(response.status, 200)
  t.is(response.headers.get('content-type'), 'application/jwk-set+json')
  t.is(response.headers.get('cache-control'), 'public, max-age=300')
  const set = (await response.json()) as { keys: JWK[] }
  t.deepEqual(
    set.keys.map((key) => [key.kty, key.alg, key.use, key.kid]),
    [
      ['RSA', 'RS256', 'sig', await thumbprint(rsa)],
      ['RSA', 'RS256', 'sig', await thumbprint(retiredRsa)],
    ],
  )
  for (const key of set.keys) t.deepEqual(Object.keys(key).sort(), ['alg', 'e', 'kid', 'kty', 'n', 'use'])
  t.is((await fetch(nginx.url('/.well-known/jwks.json'), { method: 'POST' })).status, 405)
})

rs256.test('RS256: /authenticate, auth_request and js_access mint tokens jose verifies against the JWK Set fetched from nginx', async (t, nginx) => {
  const jwks = createRemoteJWKSet(new URL(nginx.url('/.well-known/jwks.json')))
  const tokens = [await authenticate(nginx), await tokenAtBackend(nginx)]
  if (nginx.leg.features.jsAccess) tokens.push(await tokenAtBackend(nginx, '/access/'))
  for (const token of tokens) {
    t.deepEqual(decodeProtectedHeader(token), { typ: 'JWT', alg: 'RS256', kid: await thumbprint(rsa) })
    const { payload } = await jwtVerify(token, jwks, { algorithms: ['RS256'], issuer: 'authotron-test' })
    t.like(payload, { sub: 'localrealm-adam', username: 'adam', realm: 'localrealm', roles: ['ops'] })
    t.is((payload.exp as number) - (payload.iat as number), 3600)
  }
})

/** A token with the claims we mint, signed by `key` under `kid` (as an earlier key of ours did). */
async function signedAs(key: KeyObject, kid: string, claims: object = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000)
  return new SignJWT({ sub: 'localrealm-adam', iss: 'authotron-test', exp: now + 600, iat: now, roles: ['ops'], username: 'adam', scopes: {}, realm: 'localrealm', attributes: {}, ...claims })
    .setProtectedHeader({ typ: 'JWT', alg: 'RS256', kid })
    .sign(key)
}

rs256.test('RS256 self-issued tokens: ours come back as Bearer or cookie and reach the backend unchanged, the retired key\'s too', async (t, nginx) => {
  const minted = await authenticate(nginx)
  const retired = await signedAs(retiredRsa, await thumbprint(retiredRsa))
  for (const token of [minted, retired]) {
    for (const headers of [{ Authorization: `Bearer ${token}` }, { Cookie: `authotron_session=${token}` }] as Record<string, string>[]) {
      const response = await fetch(nginx.url('/api/x'), { headers })
      t.is(response.status, 200)
      t.regex(await response.text(), new RegExp(`^authorization=Bearer ${token.replace(/[.-]/g, '\\$&')}$`, 'm'))
    }
  }
})

rs256.test('RS256 self-issued tokens: a foreign key under our kid, an unknown kid, tampered claims, expired: 401', async (t, nginx) => {
  const kid = await thumbprint(rsa)
  const good = await signedAs(rsa, kid)
  const [h, p, s] = good.split('.')
  const claims = JSON.parse(Buffer.from(p, 'base64url').toString())
  const bad: [string, string][] = [
    ['foreign key, our kid', await signedAs(rsaKey(), kid)],
    ['unknown kid', await signedAs(rsa, 'not-ours')],
    ['tampered', `${h}.${Buffer.from(JSON.stringify({ ...claims, roles: ['admin'] })).toString('base64url')}.${s}`],
    ['expired', await signedAs(rsa, kid, { exp: Math.floor(Date.now() / 1000) - 1 })],
  ]
  t.is((await fetch(nginx.url('/api/x'), { headers: { Authorization: `Bearer ${good}` } })).status, 200)
  for (const [what, token] of bad) {
    t.is((await fetch(nginx.url('/api/x'), { headers: { Authorization: `Bearer ${token}` } })).status, 401, what)
  }
})

es256.test('ES256: the configured kid; r||s signatures jose verifies against the set from nginx', async (t, nginx) => {
  const jwks = createRemoteJWKSet(new URL(nginx.url('/.well-known/jwks.json')))
  const token = await authenticate(nginx)
  t.deepEqual(decodeProtectedHeader(token), { typ: 'JWT', alg: 'ES256', kid: 'es-2026-12' })
  t.is(Buffer.from(token.split('.')[2], 'base64url').length, 64)
  const { payload } = await jwtVerify(token, jwks, { algorithms: ['ES256'] })
  t.is(payload.sub, 'localrealm-adam')
  const set = (await (await fetch(nginx.url('/.well-known/jwks.json'))).json()) as { keys: JWK[] }
  t.deepEqual(set.keys.map((key) => [key.kty, key.crv, key.alg, key.kid]), [['EC', 'P-256', 'ES256', 'es-2026-12']])
})

es256.test('ES256: where a shared dict caches grants, a repeated credential gets the cached token (ECDSA signatures differ each time)', async (t, nginx) => {
  const first = await tokenAtBackend(nginx)
  const second = await tokenAtBackend(nginx)
  if (nginx.leg.features.sharedDict) t.is(second, first)
  else t.not(second, first) // njs 0.7.9: no shared dict, every request mints (and ECDSA is randomised)
  const jwks = createRemoteJWKSet(new URL(nginx.url('/.well-known/jwks.json')))
  await t.notThrowsAsync(jwtVerify(second, jwks))
})

eddsa.serial('EdDSA: minted where the runtime has Ed25519; elsewhere a 500 and the error log says why and what to use', async (t, nginx) => {
  const offset = nginx.errorLogSize()
  const response = await rawRequest(nginx.port, '/authenticate', [GOOD])
  if (response.status === 200) {
    const token = (header(response, 'authorization') ?? '').replace(/^Bearer /, '')
    await t.notThrowsAsync(jwtVerify(token, createRemoteJWKSet(new URL(nginx.url('/.well-known/jwks.json'))), { algorithms: ['EdDSA'] }))
    return
  }
  t.is(response.status, 500)
  const log = nginx.errorLogSince(offset)
  t.regex(log, /code="ERR_RUNTIME_UNSUPPORTED" reason="jwt\.alg EdDSA: minting needs Ed25519 in the runtime's WebCrypto \(njs >= 0\.9\.7 built with it\); this runtime \(njs \d+\.\d+\.\d+( \(QuickJS\))?\) answered: unknown algorithm name: \\"Ed25519\\"\. Use RS256 or ES256 here\."/)
  // The key is published all the same: a backend can be configured before the runtime is upgraded.
  const set = (await (await fetch(nginx.url('/.well-known/jwks.json'))).json()) as { keys: JWK[] }
  t.like(set.keys[0], { kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA', kid: await thumbprint(ed) })
})
