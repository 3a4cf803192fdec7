import test from 'ava'
import { closestKey, editDistance } from '../../../src/compiler/unknown-keys'
import { compileText, configText, VALID_SECTIONS } from './support'

test('unknown keys are warnings that name the key and the likely intended one', (t) => {
  const result = compileText(
    [
      'version: 2.0.0',
      'store: {enabled: false}',
      'services: []',
      'server: {port: 8080, hots: 0.0.0.0}',
      'logging: {level: info, format: json, colour: true}',
      'jwt: {iss: me, exp: 3600, secret: 0123456789abcdef0123456789abcdef, secert: x}',
      'provders: []',
      'providers:',
      '  - type: plain',
      '    name: p',
      '    realm: r',
      '    Users: []',
      '    users:',
      '      - {username: a, pasword: x, password: y, role: [admin]}',
      'Include-Legacy-Headers: true',
      'timeout_in_ms: 10',
    ].join('\n'),
  )
  t.deepEqual(result.errors, [])
  t.deepEqual(result.warnings, [
    "server.hots (config.yaml:4:22): unknown key, ignored (did you mean 'host'?)",
    'logging.colour (config.yaml:5:38): unknown key, ignored',
    "jwt.secert (config.yaml:6:69): unknown key, ignored (did you mean 'secret'?)",
    "provders (config.yaml:7:1): unknown key, ignored (did you mean 'providers'?)",
    "providers[0].Users (config.yaml:12:5): unknown key, ignored (did you mean 'users'?)",
    "providers[0].users[0].pasword (config.yaml:14:23): unknown key, ignored (did you mean 'password'?)",
    "providers[0].users[0].role (config.yaml:14:48): unknown key, ignored (did you mean 'roles'?)",
    "Include-Legacy-Headers (config.yaml:15:1): unknown key, ignored (did you mean 'include_legacy_headers'?)",
    'timeout_in_ms (config.yaml:16:1): unknown key, ignored',
  ])
})

test('a misspelt key explains the error it causes', (t) => {
  const result = compileText(
    configText({ jwt: 'jwt: {iss: me, exp: 3600, secrte: 0123456789abcdef0123456789abcdef}' }),
  )
  t.deepEqual(result.errors, ['jwt.secret (config.yaml:6:1): required key missing'])
  t.deepEqual(result.warnings, [
    "jwt.secrte (config.yaml:6:27): unknown key, ignored (did you mean 'secret'?)",
  ])
})

test('keys of another provider type are unknown for this one; free-form mappings take any key', (t) => {
  const result = compileText(
    configText({
      providers: 'providers:\n  - {type: plain, name: p, realm: r, users: [], uri: "https://x"}',
      augmenters:
        'augmenters:\n  - {type: plain_advanced, name: a, realm: r, match: {username: [a]}, augment: {attributes: {anything: x}}}\n  - {type: plain, name: b, realm: r, roles: {whatever: [a]}}',
    }),
  )
  t.deepEqual(
    result.warnings.filter((warning) => warning.includes('unknown key')),
    ['providers[0].uri (config.yaml:8:49): unknown key, ignored'],
  )
})

test('the members of an unknown type are not judged key by key', (t) => {
  const result = compileText(
    configText({ providers: 'providers:\n  - {type: nope, name: p, whatever: 1}' }),
  )
  t.false(result.warnings.some((warning) => warning.includes('unknown key')))
})

test('edit distance counts an adjacent swap as one edit', (t) => {
  t.is(editDistance('secret', 'secert'), 1)
  t.is(editDistance('provders', 'providers'), 1)
  t.is(editDistance('', 'abc'), 3)
  t.is(editDistance('kitten', 'sitting'), 3)
})

test('suggestions ignore case and -/_ and stay near', (t) => {
  const keys = Object.keys(VALID_SECTIONS)
  t.is(closestKey('Jwt', keys), 'jwt')
  t.is(closestKey('server-', keys), 'server')
  t.is(closestKey('databse', ['database', 'uri']), 'database')
  t.is(closestKey('colour', ['level', 'format']), undefined)
  t.is(closestKey('ab', ['jwt']), undefined)
})
