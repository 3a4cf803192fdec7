import test from 'ava'
import { compileConfig } from '../../../src/compiler/compile'
import { COMPILED_FORMAT, CompiledPlainProvider } from '../../../src/config/compiled'
import { canonicalJson, configIdOf } from '../../../src/compiler/derive'
import { parseStoredPassword, plainVerifier } from '../../../src/passwords/parse'
import { unknownUserVerifier } from '../../../src/providers/plain/compile'
import { VERSION } from '../../../src/version'
import { compileText, configText, FIXTURES } from './support'

const SECRET = '0123456789abcdef0123456789abcdef'

test('the seed config compiles to exactly this', (t) => {
  const result = compileConfig({ path: 'seed.yaml', env: {}, cwd: FIXTURES })
  t.deepEqual(result.errors, [])
  const { configId, ...rest } = result.config!
  t.regex(configId, /^[0-9a-f]{16}$/)
  t.deepEqual(rest, {
    format: COMPILED_FORMAT,
    compilerVersion: VERSION,
    jwt: { iss: 'authotron-test', exp: 3600, secret: 'some-secret-key' },
    includeLegacyHeaders: true,
    timeoutMs: 3000,
    grantCacheTtlMs: 30000,
    challenge: 'Basic realm="localrealm", Bearer realm="ecmwf"',
    providers: [
      {
        type: 'plain',
        name: 'plain-provider',
        realm: 'localrealm',
        filterRealm: 'localrealm',
        scheme: 'Basic',
        users: {
          '=test_user': [{ verifier: plainVerifier('secret123'), roles: [] }],
          '=test_user2': [{ verifier: plainVerifier('p@ssw0rd'), roles: [] }],
        },
        unknownUserVerifier: unknownUserVerifier([plainVerifier('secret123'), plainVerifier('p@ssw0rd')]),
      },
      {
        type: 'ecmwf-api',
        name: 'ECMWF API Provider',
        realm: 'ecmwf',
        filterRealm: 'ecmwf',
        scheme: 'Bearer',
        whoAmI: {
          location: '/_authotron/remote/b0a25c5100e34336',
          url: 'https://api.ecmwf.int/v1/who-am-i',
          method: 'GET',
          ttl: 60,
          invalidStatuses: [403],
          invalidTtl: 5,
          timeoutMs: 3000,
          headers: { Accept: 'application/json' },
          keySalt: 'RnVmi8ZX57mu8rqFLjL07PjNNk8px_L4BZ7hxhfe64c',
          sealSecret: 'iMJj8CsSC1Lu6fdeY6IGJnquJ14oD0aJgS3BRlulLm0',
        },
      },
    ],
    providersByScheme: { Basic: [0], Bearer: [1] },
    augmenters: [],
    augmenterPlans: {},
    providersBody:
      '{"providers":[{"name":"plain-provider","type":"plain","realm":"localrealm"},{"name":"ECMWF API Provider","type":"ecmwf-api","realm":"ecmwf"}]}',
    augmentersBody: '{"augmenters":[]}',
    logLevel: 'debug',
    maxBasicLength: 1024,
    metricsEnabled: true,
  })
  t.deepEqual(result.warnings, [
    'jwt.secret (seed.yaml:9:47): shorter than 32 bytes: an HS256 key this short can be guessed offline from any minted token',
  ])
  t.deepEqual(result.notes, [
    "server.host: NGINX's `listen` decides the address",
    "server.port: NGINX's `listen` decides the port",
    "logging.format: messages go to NGINX's error_log, in NGINX's format",
    'services: read by nothing, here as in the reference',
    'jwt.aud: ignored, here as in the reference: minted tokens carry no `aud` claim',
  ])
})

test('configId: the same input gives the same id; any change gives another', (t) => {
  const first = compileText(configText()).config!
  t.is(compileText(configText()).config!.configId, first.configId)
  const { configId, ...content } = first
  t.is(configIdOf(content), configId, 'the hash of everything but the id itself')
  t.not(compileText(configText(), { AOT_JWT__EXP: '3601' }).config!.configId, configId)
})

test('canonical JSON sorts keys at every depth and keeps list order', (t) => {
  t.is(canonicalJson({ b: [2, 1], a: { d: null, c: 'x' } }), '{"a":{"c":"x","d":null},"b":[2,1]}')
})

test('challenge: config order, first of each exact pair, efas-api as "efas", realms not lower-cased', (t) => {
  const result = compileText(
    configText({
      providers: [
        'providers:',
        '  - {type: jwt, name: kc, realm: ecmwf, cert_uri: "https://kc/certs", iam_realm: ecmwf}',
        '  - {type: plain, name: a, realm: ecmwf, users: [{username: a, password: x}]}',
        '  - {type: ecmwf-api, name: api, realm: ecmwf, uri: "https://api"}',
        '  - {type: efas-api, name: efas, realm: Floods, uri: "https://efas"}',
        '  - {type: plain, name: b, realm: Other, users: [{username: b, password: x}]}',
        '  - {type: plain, name: c, realm: other, users: [{username: c, password: x}]}',
      ].join('\n'),
    }),
  )
  t.deepEqual(result.errors, [])
  const config = result.config!
  t.is(
    config.challenge,
    'Bearer realm="ecmwf", Basic realm="ecmwf", Bearer realm="efas", Basic realm="Other", Basic realm="other"',
  )
  t.deepEqual(
    config.providers.map((provider) => provider.filterRealm),
    ['ecmwf', 'ecmwf', 'ecmwf', 'efas', 'other', 'other'],
  )
  t.deepEqual(config.providersByScheme, { Basic: [1, 4, 5], Bearer: [0, 2, 3] })
  t.is(
    config.providersBody,
    '{"providers":[{"name":"kc","type":"jwt","realm":"ecmwf"},{"name":"a","type":"plain","realm":"ecmwf"},' +
      '{"name":"api","type":"ecmwf-api","realm":"ecmwf"},{"name":"efas","type":"efas-api","realm":"Floods"},' +
      '{"name":"b","type":"plain","realm":"Other"},{"name":"c","type":"plain","realm":"other"}]}',
  )
  t.like(config.providers[0], {
    type: 'jwt',
    name: 'kc',
    realm: 'ecmwf',
    filterRealm: 'ecmwf',
    scheme: 'Bearer',
    jwks: { url: 'https://kc/certs' },
  })
})

test('no providers: the challenge is a bare Bearer', (t) => {
  const result = compileText(configText({ providers: 'providers: []' }))
  t.is(result.config?.challenge, 'Bearer')
  t.is(result.config?.providersBody, '{"providers":[]}')
  t.deepEqual(result.warnings, [
    'providers (config.yaml:7:12): no providers: every request is answered 401',
  ])
})

test('filterRealm lower-cases ASCII letters only, as the reference compares', (t) => {
  const result = compileText(
    configText({
      providers:
        'providers:\n  - {type: plain, name: k, realm: "\u212Aelvin-ÄB", users: [{username: a, password: x}]}',
    }),
  )
  t.is(result.config?.providers[0].filterRealm, '\u212Aelvin-Äb')
})

test('plain users: grouped by username in config order; password_hash; htpasswd users appended', (t) => {
  const pbkdf2 =
    '$pbkdf2-sha256$i=1000$c2FsdHNhbHRzYWx0c2FsdA$OqTT0K7qSakmzvzeAcXd8QzwZdf+Ud85CYsiqZigjLQ'
  const result = compileText(
    configText({
      providers: [
        'providers:',
        '  - type: plain',
        '    name: local',
        '    realm: r',
        '    users:',
        '      - {username: alice, password: one, roles: [admin]}',
        `      - {username: bob, password_hash: "${pbkdf2}", roles: null}`,
        '      - {username: alice, password: two}',
        '      - {username: __proto__, password: x}',
        '    htpasswd_file: users.htpasswd',
        '    htpasswd_roles: [staff]',
      ].join('\n'),
    }),
  )
  t.deepEqual(result.errors, [])
  const provider = result.config!.providers[0] as CompiledPlainProvider
  t.deepEqual(Object.keys(provider.users), ['=alice', '=bob', '=__proto__', '=carol'])
  t.deepEqual(provider.users['=alice'], [
    { verifier: plainVerifier('one'), roles: ['admin'] },
    { verifier: plainVerifier('two'), roles: [] },
    { verifier: parseStoredPassword('$apr1$Ab3/.x9Z$kv/0BcJE.cFsV7B/P.NVu1'), roles: ['staff'] },
  ])
  t.deepEqual(provider.users['=bob'], [
    { verifier: parseStoredPassword(pbkdf2), roles: [] },
    { verifier: parseStoredPassword('{SHA}I7dElEdfX4dJgLdnbVEeI9iG2mQ='), roles: ['staff'] },
  ])
  t.deepEqual(provider.users['=carol'], [{ verifier: plainVerifier('carol-pw'), roles: ['staff'] }])
})

test('a plain provider may have only an htpasswd file; its users get no roles by default', (t) => {
  const result = compileText(
    configText({
      providers: 'providers:\n  - {type: plain, name: f, realm: r, htpasswd_file: users.htpasswd}',
    }),
  )
  t.deepEqual(result.errors, [])
  const provider = result.config!.providers[0] as CompiledPlainProvider
  t.deepEqual(Object.keys(provider.users), ['=alice', '=bob', '=carol'])
  t.deepEqual(provider.users['=carol'][0].roles, [])
})

test('augmenters: YAML order of roles and attributes, defaults, plans per realm', (t) => {
  const result = compileText(
    configText({
      providers:
        'providers:\n  - {type: plain, name: p, realm: r, users: [{username: a, password: x}]}\n  - {type: plain, name: q, realm: s, users: [{username: a, password: x}]}',
      augmenters: [
        'augmenters:',
        '  - type: plain_advanced',
        '    name: first',
        '    realm: r',
        '    match: {username: [a]}',
        '    augment: {attributes: {zeta: "1", "2": two, "1": one}}',
        '  - type: plain',
        '    name: legacy',
        '    realm: r',
        '    roles: {"20": [a], "10": [a, b], admin: []}',
        '  - type: ldap',
        '    name: dir',
        '    realm: r',
        '    uri: ldap://ldap',
        '    search_base: dc=example',
        '    ldap_password: pw',
        '  - {type: plain_advanced, name: second, realm: r, match: {role: ["20"]}, augment: {roles: [x]}}',
        '  - {type: plain_advanced, name: other, realm: s, match: {username: [a]}, augment: {}}',
      ].join('\n'),
    }),
  )
  t.deepEqual(result.errors, [])
  const config = result.config!
  t.deepEqual(config.augmenters, [
    {
      type: 'plain_advanced',
      name: 'first',
      realm: 'r',
      matchUsernames: ['a'],
      matchRoles: [],
      roles: [],
      attributes: [
        ['zeta', '1'],
        ['2', 'two'],
        ['1', 'one'],
      ],
    },
    {
      type: 'plain',
      name: 'legacy',
      realm: 'r',
      roles: [
        ['20', ['a']],
        ['10', ['a', 'b']],
        ['admin', []],
      ],
    },
    {
      type: 'ldap',
      name: 'dir',
      realm: 'r',
      snapshot: null,
    },
    {
      type: 'plain_advanced',
      name: 'second',
      realm: 'r',
      matchUsernames: [],
      matchRoles: ['20'],
      roles: ['x'],
      attributes: [],
    },
    {
      type: 'plain_advanced',
      name: 'other',
      realm: 's',
      matchUsernames: ['a'],
      matchRoles: [],
      roles: [],
      attributes: [],
    },
  ])
  t.deepEqual(config.augmenterPlans, {
    '=r': { parallel: [1, 2], serial: [0, 3] },
    '=s': { parallel: [], serial: [4] },
  })
  t.is(
    config.augmentersBody,
    '{"augmenters":[{"name":"first","type":"plain_advanced","realm":"r"},{"name":"legacy","type":"plain","realm":"r"},' +
      '{"name":"dir","type":"ldap","realm":"r","snapshot_taken_at":null},{"name":"second","type":"plain_advanced","realm":"r"},' +
      '{"name":"other","type":"plain_advanced","realm":"s"}]}',
  )
  t.deepEqual(result.warnings, [
    'augmenters[2] (config.yaml:20:5): has no bind_dn: `authotron ldap-sync` cannot bind, so this augmenter adds no roles',
  ])
  t.deepEqual(
    result.notes.filter((note) => note.startsWith('augmenters')),
    [
      'augmenters[1] (config.yaml:16:5): the plain augmenter is deprecated in the reference; plain_advanced does the same and more',
      'augmenters[2] (config.yaml:20:5): its roles come from `authotron ldap-sync`, which writes the compiled config with a snapshot of the directory; compiled without one, it adds no roles (docs/ldap.md)',
    ],
  )
})

test('defaults: timeout 5000, include_legacy_headers null is false; log level trimmed and lower-cased', (t) => {
  const result = compileText(
    configText({
      logging: 'logging: {level: " WARN ", format: json}',
      augmenters: 'include_legacy_headers: null',
    }),
  )
  t.deepEqual(result.errors, [])
  t.is(result.config?.grantCacheTtlMs, 30000)
  t.is(result.config?.timeoutMs, 5000)
  t.false(result.config?.includeLegacyHeaders)
  t.is(result.config?.logLevel, 'warn')
})

test('the secret is copied as written, whatever its characters', (t) => {
  const result = compileText(configText({ jwt: `jwt: {iss: me, exp: 1, secret: "${SECRET} é"}` }))
  t.is(result.config?.jwt.secret, `${SECRET} é`)
})

test('sanity warnings: expired tokens, augmenters for no realm, matchers that never match, ldap without bind_dn', (t) => {
  const result = compileText(
    configText({
      jwt: `jwt: {iss: me, exp: 0, secret: ${SECRET}}`,
      providers: 'providers:\n  - {type: plain, name: p, realm: r, users: []}',
      augmenters: [
        'augmenters:',
        '  - {type: plain_advanced, name: a, realm: R, match: {}, augment: {}}',
        '  - {type: ldap, name: l, realm: r, uri: u, search_base: b, ldap_password: p, filters: ["OU=A"]}',
      ].join('\n'),
    }),
  )
  t.deepEqual(result.errors, [])
  t.deepEqual(result.warnings, [
    'jwt.exp (config.yaml:6:21): minted tokens are already expired when issued (exp is a lifetime in seconds)',
    'providers[0].users (config.yaml:8:45): no users, so this provider accepts no credential',
    "augmenters[0].realm (config.yaml:10:44): no provider has realm 'R' (realms are compared exactly), so this augmenter never runs",
    'augmenters[0].match (config.yaml:10:54): neither username nor role lists anything, so this augmenter never applies',
    'augmenters[1] (config.yaml:11:5): has no bind_dn: `authotron ldap-sync` cannot bind, so this augmenter adds no roles',
    'augmenters[1].uri (config.yaml:11:42): is not an ldap://, ldaps:// or ldapi:// URL: `authotron ldap-sync` cannot read it',
  ])
})

test('an ldap filter without key=value is an error at its key path, and nothing is compiled', (t) => {
  const result = compileText(
    configText({
      augmenters: [
        'augmenters:',
        '  - {type: ldap, name: l, realm: r, uri: "ldap://h", bind_dn: x, search_base: b, ldap_password: p, filters: ["OU=A", "nonsense", "=x"]}',
      ].join('\n'),
    }),
  )
  t.is(result.config, undefined)
  t.deepEqual(
    result.errors.map((e) => e.replace(/ \(config.*?\)/, '')),
    [
      "augmenters[0].filters[1]: Invalid LDAP filter 'nonsense': expected key=value segments (the reference fails every lookup with it)",
      "augmenters[0].filters[2]: Invalid LDAP filter '=x': expected key=value segments (the reference fails every lookup with it)",
    ],
  )
})

test('auth.grant_cache_ttl_in_ms sets the grant cache lifetime; 0 disables it', (t) => {
  for (const [value, expected] of [[0, 0], [120000, 120000]] as const) {
    const text = `version: 2.0.0
store: {enabled: false}
services: []
providers: []
server: {port: 8080}
jwt: {exp: 3600, iss: x, secret: a-secret-of-at-least-32-bytes-long!}
logging: {level: info, format: console}
auth: {grant_cache_ttl_in_ms: ${value}}
`
    t.is(compileConfig({ text, env: {} }).config?.grantCacheTtlMs, expected)
  }
})

test('auth.max_basic_length sets the Basic credential limit (default 1024); out of range is an error at its key path', (t) => {
  const compiled = (auth: string) =>
    compileConfig({
      text: `version: 2.0.0
store: {enabled: false}
services: []
providers: []
server: {port: 8080}
jwt: {exp: 3600, iss: x, secret: a-secret-of-at-least-32-bytes-long!}
logging: {level: info, format: console}
auth: ${auth}
`,
      env: {},
    })
  t.is(compiled('{max_basic_length: 4096}').config?.maxBasicLength, 4096)
  t.is(compiled('{}').config?.maxBasicLength, 1024)
  const low = compiled('{max_basic_length: 10}')
  t.is(low.config, undefined)
  t.regex(low.errors.join('\n'), /auth\.max_basic_length/)
})
