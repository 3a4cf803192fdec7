import test from 'ava'
import type { CompiledEcmwfTokenGeneratorProvider, CompiledOpenIdOfflineProvider } from '../../../../src/config/compiled'
import { basicAuthorization } from '../../../../src/providers/openid-offline/compile'
import { compileText, configText } from '../../compiler/support'

function compileProviders(...providers: string[]) {
  return compileText(configText({ providers: `providers:\n${providers.map((p) => `  - ${p}`).join('\n')}` }))
}

const OFFLINE =
  '{type: openid-offline, name: desp, realm: desp, cert_uri: "https://iam.example/realms/desp/protocol/openid-connect/certs",' +
  ' public_client_id: pub, private_client_id: priv, private_client_secret: "s3cr:t%", iam_url: "https://iam.example/"'
const GENERATOR =
  '{type: ecmwf-token-generator, name: tg, realm: ecmwf, cert_uri: "https://tg.example/jwks", client_id: aot,' +
  ' client_secret: shh, token_generator_url: "https://tg.example/api"'

test('openid-offline: the reference URLs as POST steps, Basic auth of the private client, TTLs 120/5/10, its validator', (t) => {
  const result = compileProviders(OFFLINE + '}')
  t.deepEqual(result.errors, [])
  t.deepEqual(result.warnings, [], 'no "not implemented" warning')
  const provider = result.config!.providers[0] as CompiledOpenIdOfflineProvider
  const introspect = 'https://iam.example/realms/desp/protocol/openid-connect/token/introspect'
  t.like(provider, {
    type: 'openid-offline',
    scheme: 'Bearer',
    introspection: { url: introspect, method: 'POST', ttl: 120, invalidStatuses: [] },
    introspectionRecheck: { url: introspect, method: 'POST', ttl: 5 },
    exchange: { url: 'https://iam.example/realms/desp/protocol/openid-connect/token', method: 'POST', ttl: 10 },
    publicClientId: 'pub',
  })
  t.not(provider.introspection.location, provider.introspectionRecheck.location, 'the recheck has its own cache')
  for (const step of [provider.introspection, provider.introspectionRecheck, provider.exchange]) {
    t.is(step.headers['Content-Type'], 'application/x-www-form-urlencoded')
    // RFC 6749 §2.3.1: id and secret percent-encoded before base64.
    t.is(Buffer.from(step.headers.Authorization.slice(6), 'base64').toString(), 'priv:s3cr%3At%25')
  }
  t.like(provider.validator, {
    type: 'jwt',
    name: 'desp',
    realm: 'desp',
    jwks: { url: 'https://iam.example/realms/desp/protocol/openid-connect/certs', ttl: 600 },
    leeway: 60,
  })
  t.deepEqual(result.config!.providersByScheme, { Basic: [], Bearer: [0] })
})

test('ecmwf-token-generator: the reference URLs, TTLs 240/240, invalid_cache_ttl and cache_ttl, its validator', (t) => {
  const result = compileProviders(GENERATOR + ', invalid_cache_ttl: 0}')
  t.deepEqual(result.errors, [])
  t.deepEqual(result.warnings, [])
  const provider = result.config!.providers[0] as CompiledEcmwfTokenGeneratorProvider
  t.like(provider, {
    validation: { url: 'https://tg.example/api/validate-token', ttl: 240, headers: { 'Content-Type': 'application/json' } },
    validationRecheck: { url: 'https://tg.example/api/validate-token', ttl: 0 },
    exchange: { url: 'https://tg.example/api/admin/refresh-access-token', ttl: 240 },
    clientId: 'aot',
    clientSecret: 'shh',
    validator: { name: 'tg', realm: 'ecmwf', jwks: { url: 'https://tg.example/jwks' } },
  })
  t.false(JSON.stringify(provider.exchange.headers).includes('shh'), 'the secret goes in the body, not a header')
  const short = compileProviders(GENERATOR + ', cache_ttl: 30}').config!.providers[0] as CompiledEcmwfTokenGeneratorProvider
  t.like(short, { validation: { ttl: 30 }, validationRecheck: { ttl: 5 }, exchange: { ttl: 30 } })
})

test('plain http is a warning naming the key; a bad URL or invalid_cache_ttl an error naming it', (t) => {
  const http = compileProviders(GENERATOR.replace('https://tg.example/api', 'http://tg.example/api') + '}')
  t.deepEqual(http.errors, [])
  t.true(http.warnings.some((w) => w.startsWith('providers[0].token_generator_url')))
  const bad = compileProviders(OFFLINE.replace('"https://iam.example/"', 'iam') + ', invalid_cache_ttl: 600}')
  t.true(bad.errors.some((e) => e.startsWith('providers[0].iam_url')))
  t.true(bad.errors.some((e) => e.startsWith('providers[0].invalid_cache_ttl')))
})

test('the JWK Set of a validator gets its nginx locations as a jwt provider\'s does', async (t) => {
  const { jwksSnippets } = await import('../../../../src/providers/jwt/nginx-snippets')
  const result = compileProviders(OFFLINE + '}', GENERATOR + '}')
  const snippets = jwksSnippets(result.config!, { cacheDir: '/var/cache/x', generator: 'test' })
  // The relay server (http snippet) fetches the sets; the cached locations proxy to it.
  t.regex(snippets.http, /proxy_pass "https:\/\/iam\.example\/realms\/desp\/protocol\/openid-connect\/certs";/)
  t.regex(snippets.http, /proxy_pass "https:\/\/tg\.example\/jwks";/)
  // Per JWK Set: the cached, the refresh and (njs 0.7.9's) epoch location.
  t.is(snippets.locations.match(/^location = /gm)?.length, 6)
})

test('basicAuthorization leaves ordinary ids and secrets as the reference sends them', (t) => {
  t.is(basicAuthorization('desp-private', 'abc-123_XYZ.~'), 'Basic ' + Buffer.from('desp-private:abc-123_XYZ.~').toString('base64'))
})
