import test from 'ava'
import type { CompiledJwtProvider } from '../../../../src/config/compiled'
import { DEFAULT_JWKS_TTL_SECONDS } from '../../../../src/providers/jwt/schema'
import { compileText, configText } from '../../compiler/support'

const BASE = '{type: jwt, name: kc, realm: ecmwf, cert_uri: "https://kc.example/certs", iam_realm: ecmwf'

function compileJwt(...providers: string[]) {
  return compileText(configText({ providers: `providers:\n${providers.map((p) => `  - ${p}`).join('\n')}` }))
}

test('reference keys only: the defaults of docs/jwt.md, no "not implemented" warning', (t) => {
  const result = compileJwt(BASE + '}')
  t.deepEqual(result.errors, [])
  t.deepEqual(result.warnings, [])
  const provider = result.config!.providers[0] as CompiledJwtProvider
  t.deepEqual(provider, {
    type: 'jwt',
    name: 'kc',
    realm: 'ecmwf',
    filterRealm: 'ecmwf',
    scheme: 'Bearer',
    jwks: {
      url: 'https://kc.example/certs',
      location: provider.jwks.location,
      refreshLocation: provider.jwks.location + '/refresh',
      ttl: DEFAULT_JWKS_TTL_SECONDS,
    },
    leeway: 60,
    cacheId: provider.cacheId,
    verifiedCacheTtl: 600,
  })
  t.regex(provider.jwks.location, /^\/_authotron\/jwks\/[0-9a-f]{16}$/)
  t.regex(provider.cacheId, /^[0-9a-f]{16}$/)
  t.deepEqual(result.config!.providersByScheme, { Basic: [], Bearer: [0] })
})

test('every extension key, with lists and single values', (t) => {
  const result = compileJwt(
    BASE +
      ', issuer: "https://kc.example/realms/a", audience: [api, account], algorithms: [RS256, ES256],' +
      ' leeway: 5, jwks_ttl: 120, ca_file: /etc/authotron/ca.pem}',
  )
  t.deepEqual(result.errors, [])
  t.deepEqual(result.warnings, [])
  t.like(result.config!.providers[0], {
    jwks: { url: 'https://kc.example/certs', ttl: 120, caFile: '/etc/authotron/ca.pem' },
    issuers: ['https://kc.example/realms/a'],
    audiences: ['api', 'account'],
    algorithms: ['RS256', 'ES256'],
    leeway: 5,
    verifiedCacheTtl: 120,
  })
})

test('providers with the same URL, TTL and CA share their locations; any difference separates them', (t) => {
  const result = compileJwt(
    BASE + '}',
    '{type: jwt, name: other, realm: other, cert_uri: "https://kc.example/certs", iam_realm: x, audience: api}',
    BASE + ', jwks_ttl: 60}',
    '{type: jwt, name: kc2, realm: ecmwf, cert_uri: "https://kc.example/certs2", iam_realm: ecmwf}',
  )
  t.deepEqual(result.errors, [])
  const [a, b, c, d] = result.config!.providers as CompiledJwtProvider[]
  t.is(a.jwks.location, b.jwks.location)
  t.not(a.jwks.location, c.jwks.location)
  t.not(a.jwks.location, d.jwks.location)
  // The verified-token cache is separate for providers that judge tokens differently.
  t.not(a.cacheId, b.cacheId)
  t.not(a.cacheId, c.cacheId)
})

const errors: [string, string, string][] = [
  ['cert_uri not http(s)', 'cert_uri: "ftp://kc/certs"', 'providers[0].cert_uri (config.yaml:8:69): expected an http:// or https:// URL without spaces, quotes, backslashes, `$`, `;`, `{` or `}`'],
  ['cert_uri with a variable', 'cert_uri: "https://kc/$host"', 'providers[0].cert_uri (config.yaml:8:69): expected an http:// or https:// URL without spaces, quotes, backslashes, `$`, `;`, `{` or `}`'],
  ['cert_uri with a semicolon', 'cert_uri: "https://kc/a;b"', 'providers[0].cert_uri (config.yaml:8:69): expected an http:// or https:// URL without spaces, quotes, backslashes, `$`, `;`, `{` or `}`'],
  ['unknown algorithm', 'algorithms: [RS256, none]', 'providers[0].algorithms[1] (config.yaml:8:117): expected a non-empty list of RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, ES512, HS256, HS384, HS512, EdDSA'],
  ['empty algorithms', 'algorithms: []', 'providers[0].algorithms (config.yaml:8:109): expected a non-empty list of RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, ES512, HS256, HS384, HS512, EdDSA'],
  ['negative leeway', 'leeway: -1', 'providers[0].leeway (config.yaml:8:105): expected an integer >= 0'],
  ['jwks_ttl 0', 'jwks_ttl: 0', 'providers[0].jwks_ttl (config.yaml:8:107): expected an integer >= 1'],
  ['empty issuer list', 'issuer: []', 'providers[0].issuer (config.yaml:8:105): expected a string or a non-empty list of strings'],
  ['audience a number', 'audience: 7', 'providers[0].audience (config.yaml:8:107): expected a string or a non-empty list of strings'],
  ['relative ca_file', 'ca_file: certs/ca.pem', 'providers[0].ca_file (config.yaml:8:106): expected an absolute path without spaces, quotes, backslashes, `$`, `;`, `{` or `}`'],
]
for (const [name, keys, message] of errors) {
  test(`error: ${name}`, (t) => {
    const text = keys.startsWith('cert_uri')
      ? `{type: jwt, name: kc, realm: ecmwf, iam_realm: ecmwf, ${keys}}`
      : `${BASE}, ${keys}}`
    const result = compileJwt(text)
    t.deepEqual(result.errors, [message])
    t.is(result.config, undefined)
  })
}

test('warning: keys fetched over plain http', (t) => {
  const result = compileJwt('{type: jwt, name: kc, realm: ecmwf, cert_uri: "http://kc.example/certs", iam_realm: ecmwf}')
  t.deepEqual(result.errors, [])
  t.deepEqual(result.warnings, [
    'providers[0].cert_uri (config.yaml:8:51): keys fetched over plain http can be replaced by anyone on the network path; use https',
  ])
})
