import test from 'ava'
import { INERT_KEYS, patternText } from '../../../src/compiler/notes'
import { compileText, configText } from './support'

test('every inert key is noted once, with what takes its place', (t) => {
  const result = compileText(
    configText({
      server: 'server: {host: 0.0.0.0, port: 8080}',
      logging: 'logging: {level: info, format: json, service_name: aot, service_version: "1"}',
      jwt: 'jwt: {iss: me, exp: 3600, aud: them, secret: 0123456789abcdef0123456789abcdef}',
      providers: [
        'providers:',
        '  - {type: jwt, name: a, realm: r, cert_uri: "https://c/certs", iam_realm: r}',
        '  - {type: jwt, name: b, realm: r, cert_uri: "https://c/certs", iam_realm: r}',
      ].join('\n'),
      augmenters: 'metrics: {enabled: true, port: 9090}',
    }),
  )
  t.deepEqual(result.errors, [])
  t.deepEqual(result.notes, [
    "server.host: NGINX's `listen` decides the address",
    "server.port: NGINX's `listen` decides the port",
    'metrics.port: authotron-njs opens no metrics listener: put `location = /metrics { js_content authotron.endpoints.metrics; }` (and /health) in the NGINX `server` block that should serve them (README, "Metrics")',
    "logging.format: messages go to NGINX's error_log, in NGINX's format",
    "logging.service_name: NGINX's error_log lines carry no service name",
    "logging.service_version: NGINX's error_log lines carry no service version",
    'services: read by nothing, here as in the reference',
    'jwt.aud: ignored, here as in the reference: minted tokens carry no `aud` claim',
    'providers[0].iam_realm: required by the reference but unused; `realm` names the realm',
  ])
})

test('an enabled token store is no inert key: it works (README, "Token store")', (t) => {
  const result = compileText(configText({ store: 'store: {enabled: true, type: embedded}' }))
  t.deepEqual(result.errors, [])
  t.false(result.warnings.some((warning) => warning.startsWith('store')))
  t.false(result.notes.some((note) => note.startsWith('store')))
})

test('the table names each key by a readable pattern', (t) => {
  t.deepEqual(
    INERT_KEYS.map((entry) => patternText(entry.pattern)),
    [
      'server.host',
      'server.port',
      'bind_address',
      'metrics.port',
      'logging.format',
      'logging.service_name',
      'logging.service_version',
      'services',
      'jwt.aud',
      'providers[].iam_realm',
    ],
  )
})
