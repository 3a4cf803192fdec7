import test from 'ava'
import type { CompiledConfig } from '../../../src/config/compiled'
import { compileRemoteStep } from '../../../src/remote/compile'
import { remoteSnippets } from '../../../src/remote/nginx-snippets'

const data = { jwt: { secret: 's' }, auth: { timeout_in_ms: 1000 } }
const options = { cacheDir: '/srv/remote', generator: 'test' }

function configWith(...steps: ReturnType<typeof compileRemoteStep>[]): CompiledConfig {
  return {
    configId: 'cfg',
    providers: steps.map((step, i) => ({ type: 'ecmwf-api', name: `p${i}`, realm: 'r', filterRealm: 'r', scheme: 'Bearer', whoAmI: step })),
  } as unknown as CompiledConfig
}

test('no remote provider: both files say so', (t) => {
  const snippets = remoteSnippets(configWith(), options)
  t.regex(snippets.http, /No remote provider/)
  t.regex(snippets.locations, /No remote provider/)
})

test('a GET step: hop 1 caches keyed by $uri and proxies to the relay; the relay server alone calls the service', (t) => {
  const step = compileRemoteStep({ url: 'https://api.example:8443/v1/who-am-i', method: 'GET', ttl: 60, invalidStatuses: [403], invalidTtl: 5, data })
  const { http, locations, secret } = remoteSnippets(configWith(step, step), options)
  const id = step.location.split('/').pop()
  t.regex(http, /proxy_cache_path \/srv\/remote levels=1:2 keys_zone=authotron_remote:10m/)
  t.true(http.includes(`upstream authotron_remote_${id} {\n    server api.example:8443;\n    keepalive 16;\n}`))
  t.true(http.includes('upstream authotron_remote_relay {\n    server unix:/srv/remote.sock;'))
  t.is(locations.match(/location \^~/g)?.length, 1, 'one location for identical steps')
  // hop 1: no credential in a URI, the seal secret for the relay, the cache.
  for (const line of [
    `location ^~ ${step.location}/ {`,
    `proxy_pass http://authotron_remote_relay/_authotron/relay/${id}/;`,
    'proxy_method POST;',
    'proxy_pass_request_headers off;',
    'proxy_pass_request_body on;',
    'proxy_set_header Accept "application/json";',
    'proxy_cache_key $uri;',
    'proxy_cache_valid 200 60s;',
    'proxy_cache_valid 403 5s;',
    'proxy_cache_lock on;',
    'proxy_read_timeout 950ms;',
  ]) {
    t.true(locations.includes(line), line)
  }
  t.regex(locations, /proxy_set_header X-Authotron-Seal "[\w-]{43}";/)
  t.false(/proxy_pass https?:\/\/(?!authotron_remote_relay\/)/.test(locations), 'hop 1 never calls the service')
  // hop 2: a server of its own whose logs are off.
  for (const line of [
    'listen unix:/srv/remote.sock;',
    'error_log /dev/null;',
    'access_log off;',
    `location ^~ /_authotron/relay/${id}/ {`,
    'js_content authotron.remote.relay;',
    `location = /_authotron/upstream/${id} {`,
    `proxy_pass https://authotron_remote_${id}/v1/who-am-i$is_args$args;`,
    'proxy_pass_request_body off;',
    'proxy_set_header Host "api.example:8443";',
    'proxy_set_header Accept $http_accept;',
    'proxy_read_timeout 850ms;',
    'subrequest_output_buffer_size 64k;',
    'error_page 504 = @authotron_remote_failed_timeout;',
    'proxy_ssl_verify on;',
    'proxy_ssl_name api.example;',
    'proxy_ssl_trusted_certificate "/etc/ssl/certs/ca-certificates.crt";',
  ]) {
    t.true(http.includes(line), line)
  }
  t.true(secret, 'the locations file holds the seal secret')
})

test('a resolver: no upstream block, the host resolved per request; a URL with a query gets &$args', (t) => {
  const step = compileRemoteStep({ url: 'http://efas.example/token?app=x', method: 'GET', ttl: 60, invalidStatuses: [403], invalidTtl: 0, resolver: ['127.0.0.53'], data })
  const { http, locations } = remoteSnippets(configWith(step), options)
  t.false(http.includes('upstream authotron_remote_' + step.location.split('/').pop()))
  t.true(http.includes('resolver 127.0.0.53 valid=30s;'))
  t.true(http.includes('proxy_pass http://efas.example:80/token?app=x&$args;'))
  t.false(locations.includes('proxy_cache_valid 403'), 'invalid_cache_ttl 0: refusals never cached')
  t.false(locations.includes('proxy_ssl'))
})

test('resolver_valid sets how long each worker reuses a DNS answer (a new location id)', (t) => {
  const input = { url: 'http://efas.example/token', method: 'GET' as const, ttl: 60, invalidStatuses: [403], invalidTtl: 0, resolver: ['127.0.0.53'], data }
  const step = compileRemoteStep({ ...input, resolverValid: 2 })
  t.is(step.resolverValid, 2)
  t.true(remoteSnippets(configWith(step), options).http.includes('resolver 127.0.0.53 valid=2s;'))
  t.not(step.location, compileRemoteStep(input).location)
  t.is(compileRemoteStep(input).resolverValid, 30)
  const withoutResolver = compileRemoteStep({ ...input, resolver: undefined, resolverValid: 2 })
  t.false('resolverValid' in withoutResolver, 'no resolver: nothing to reuse')
})

test('a POST step with client credentials: body passed, headers set, files flagged secret', (t) => {
  const step = compileRemoteStep({
    url: 'https://iam.example/token',
    method: 'POST',
    ttl: 10,
    invalidStatuses: [],
    invalidTtl: 0,
    headers: { Authorization: 'Basic Y2xpZW50OnNlY3JldA==', 'Content-Type': 'application/x-www-form-urlencoded' },
    data,
  })
  const { http, locations, secret } = remoteSnippets(configWith(step), options)
  t.true(http.includes('proxy_method POST;'))
  t.true(http.includes('proxy_pass_request_body on;'))
  // The client secret stays in the locations file (0600); the relay passes hop 1's header on.
  t.true(locations.includes('proxy_set_header Authorization "Basic Y2xpZW50OnNlY3JldA==";'))
  t.true(http.includes('proxy_set_header Authorization $http_authorization;'))
  t.false(http.includes('Y2xpZW50OnNlY3JldA'))
  t.true(secret)
})

test('values nginx would read as syntax are refused', (t) => {
  const step = compileRemoteStep({ url: 'https://a.example/x', method: 'GET', ttl: 1, invalidStatuses: [], invalidTtl: 0, data })
  t.throws(() => remoteSnippets(configWith({ ...step, url: 'https://a.example/x;evil' }), options), { message: /syntax/ })
  t.throws(() => remoteSnippets(configWith(step), { ...options, cacheDir: '/a b' }), { message: /syntax/ })
  t.throws(() => remoteSnippets(configWith(step), { ...options, socket: '/a;b.sock' }), { message: /syntax/ })
})
