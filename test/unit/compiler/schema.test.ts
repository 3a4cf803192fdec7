import test from 'ava'
import Ajv2020 from 'ajv/dist/2020'
import { AUGMENTER_TYPES, CONFIG_SCHEMA, PROVIDER_TYPES } from '../../../src/compiler/schema'
import { allowedTypes, keysInfo, schemasAt } from '../../../src/compiler/schema-walk'
import { compileText, configText } from './support'

test('the schema is valid draft 2020-12 for a strict validator', (t) => {
  const ajv = new Ajv2020({ strict: true, strictRequired: false, allowUnionTypes: true })
  ajv.addKeyword({ keyword: 'errorMessage', schemaType: 'string' })
  t.notThrows(() => ajv.compile(CONFIG_SCHEMA))
  t.is(CONFIG_SCHEMA.$schema, 'https://json-schema.org/draft/2020-12/schema')
  t.is(CONFIG_SCHEMA.title, 'Config')
})

test('every provider type is accepted with its reference keys', (t) => {
  const providers = [
    '  - {type: plain, name: a, realm: r, users: [{username: u, password: p, roles: null}]}',
    '  - {type: jwt, name: b, realm: r, cert_uri: "https://c/certs", iam_realm: i}',
    '  - {type: ecmwf-api, name: c, realm: r, uri: "https://api.ecmwf.int/v1"}',
    '  - {type: efas-api, name: d, realm: r, uri: "https://efas.example/token"}',
    '  - {type: openid-offline, name: e, realm: r, cert_uri: "https://c/certs", public_client_id: p, private_client_id: q, private_client_secret: s, iam_url: "https://iam"}',
    '  - {type: ecmwf-token-generator, name: f, realm: r, cert_uri: "https://c/certs", client_id: i, client_secret: s, token_generator_url: "https://tg"}',
  ]
  t.is(providers.length, PROVIDER_TYPES.length)
  const result = compileText(configText({ providers: `providers:\n${providers.join('\n')}` }))
  t.deepEqual(result.errors, [])
  t.false(result.warnings.some((warning) => warning.includes('unknown key')))
  t.deepEqual(
    result.config?.providers.map((provider) => provider.type).sort(),
    [...PROVIDER_TYPES].sort(),
  )
})

test('every augmenter type is accepted with its reference keys', (t) => {
  const augmenters = [
    '  - {type: plain, name: a, realm: r, roles: {admin: [u]}}',
    '  - {type: plain_advanced, name: b, realm: r, match: {username: [u], role: [x]}, augment: {roles: [y], attributes: {k: v}}}',
    '  - {type: ldap, name: c, realm: r, uri: u, search_base: b, ldap_password: p, filter: f, filters: [OU=A], bind_dn: d}',
  ]
  t.is(augmenters.length, AUGMENTER_TYPES.length)
  const result = compileText(configText({ augmenters: `augmenters:\n${augmenters.join('\n')}` }))
  t.deepEqual(result.errors, [])
  t.false(result.warnings.some((warning) => warning.includes('unknown key')))
})

test('schema walk: the types wanted at a path follow the document`s own tags', (t) => {
  const doc = {
    version: '2.0.0',
    providers: [{ type: 'plain', users: [{}] }, { type: 'jwt' }],
  }
  t.deepEqual([...allowedTypes(schemasAt(doc, ['jwt', 'secret']))], ['string'])
  t.deepEqual([...allowedTypes(schemasAt(doc, ['jwt', 'exp']))], ['integer'])
  t.deepEqual(
    [...allowedTypes(schemasAt(doc, ['providers', 0, 'users', 0, 'roles', 3]))],
    ['string'],
  )
  t.deepEqual([...allowedTypes(schemasAt(doc, ['providers', 1, 'cert_uri']))], ['string'])
  t.deepEqual(
    [...allowedTypes(schemasAt(doc, ['providers', 0, 'cert_uri']))],
    [],
    'not a plain key',
  )
  t.deepEqual(
    [...allowedTypes(schemasAt({ version: '9' }, ['jwt', 'secret']))],
    [],
    'no version, no keys',
  )
})

test('schema walk: known keys, open-ended mappings, undecided tags', (t) => {
  const doc = { version: '2.0.0', augmenters: [{ type: 'plain', roles: {} }, { type: 'nope' }] }
  const plain = keysInfo(doc.augmenters[0], schemasAt(doc, ['augmenters', 0]))
  t.deepEqual(plain.known.sort(), ['name', 'realm', 'roles', 'type'])
  t.false(plain.undecided)
  t.true(keysInfo({}, schemasAt(doc, ['augmenters', 0, 'roles'])).openEnded)
  t.true(keysInfo(doc.augmenters[1], schemasAt(doc, ['augmenters', 1])).undecided)
})
