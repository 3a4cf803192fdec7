/**
 * Malformed configurations, each with the exact messages it must produce: the key path, where
 * the value is (file:line:col or the environment variable), and one wording per kind of problem.
 */
import test from 'ava'
import { compileText, configText, Sections } from './support'

interface Case {
  title: string
  sections?: Sections
  /** Instead of sections: the whole document. */
  text?: string
  env?: { [name: string]: string }
  errors: string[]
}

const PLAIN = (users: string) =>
  `providers:\n  - type: plain\n    name: local\n    realm: r\n${users}`

const cases: Case[] = [
  // --- the document and its version --------------------------------------------------------------
  {
    title: 'version missing',
    sections: { version: null },
    errors: ['version (config.yaml:1:1): required key missing'],
  },
  {
    title: 'unknown version',
    sections: { version: 'version: 3.0.0' },
    errors: ["version (config.yaml:1:10): expected one of '1.0.0', '2.0.0'"],
  },
  {
    title: 'version as a number',
    sections: { version: 'version: 2' },
    errors: ["version (config.yaml:1:10): expected one of '1.0.0', '2.0.0'"],
  },
  {
    title: 'a list at the top level',
    text: '- version: 2.0.0\n',
    errors: ['top level (config.yaml:1:1): expected a mapping'],
  },
  {
    title: 'YAML syntax error',
    text: 'version: 2.0.0\njwt: {iss: me\n',
    errors: [
      'config.yaml:3:1: YAML: Flow map in block collection must be sufficiently indented and end with a }',
    ],
  },
  {
    title: 'duplicate key',
    text: configText() + 'version: 2.0.0\n',
    errors: ['config.yaml:9:1: YAML: Map keys must be unique'],
  },
  {
    title: 'several required sections missing, all reported',
    sections: { store: null, services: null, logging: null },
    errors: [
      'store (config.yaml:1:1): required key missing',
      'services (config.yaml:1:1): required key missing',
      'logging (config.yaml:1:1): required key missing',
    ],
  },
  // --- jwt ---------------------------------------------------------------------------------------
  {
    title: 'jwt missing',
    sections: { jwt: null },
    errors: ['jwt (config.yaml:1:1): required key missing'],
  },
  {
    title: 'jwt.secret empty',
    sections: { jwt: 'jwt:\n  iss: me\n  exp: 3600\n  secret: ""' },
    errors: ['jwt.secret (config.yaml:9:11): expected a non-empty string'],
  },
  {
    title: 'jwt.secret a YAML number',
    sections: { jwt: 'jwt:\n  iss: me\n  exp: 3600\n  secret: 123456' },
    errors: ['jwt.secret (config.yaml:9:11): expected a string'],
  },
  {
    title: 'jwt.exp not an integer',
    sections: { jwt: 'jwt:\n  iss: me\n  exp: 1.5\n  secret: 0123456789abcdef0123456789abcdef' },
    errors: ['jwt.exp (config.yaml:8:8): expected an integer'],
  },
  {
    title: 'jwt.iss missing: reported at the `jwt:` line',
    sections: { jwt: 'jwt:\n  exp: 3600\n  secret: 0123456789abcdef0123456789abcdef' },
    errors: ['jwt.iss (config.yaml:6:1): required key missing'],
  },
  {
    title: 'jwt.aud neither string nor null',
    sections: {
      jwt: 'jwt: {iss: me, exp: 3600, aud: [a], secret: 0123456789abcdef0123456789abcdef}',
    },
    errors: ['jwt.aud (config.yaml:6:32): expected a string or null'],
  },
  // --- logging, auth, server, store, services -------------------------------------------------
  {
    title: 'logging.level not a level (the reference panics at startup)',
    sections: { logging: 'logging: {level: verbose, format: json}' },
    errors: ['logging.level (config.yaml:5:18): expected one of trace, debug, info, warn, error'],
  },
  {
    title: 'logging.format missing',
    sections: { logging: 'logging: {level: info}' },
    errors: ['logging.format (config.yaml:5:1): required key missing'],
  },
  {
    title: 'negative auth.timeout_in_ms',
    sections: { augmenters: 'auth: {timeout_in_ms: -1}' },
    errors: ['auth.timeout_in_ms (config.yaml:9:23): expected an integer >= 0'],
  },
  {
    title: 'auth.timeout_in_ms beyond what a timer can hold',
    sections: { augmenters: 'auth: {timeout_in_ms: 3000000000}' },
    errors: ['auth.timeout_in_ms (config.yaml:9:23): expected an integer <= 2147483647'],
  },
  {
    title: 'server.port beyond u16',
    sections: { server: 'server: {port: 70000}' },
    errors: ['server.port (config.yaml:4:16): expected an integer <= 65535'],
  },
  {
    title: 'server as a list',
    sections: { server: 'server: [8080]' },
    errors: ['server (config.yaml:4:9): expected a mapping'],
  },
  {
    title: 'include_legacy_headers as a string',
    sections: { augmenters: 'include_legacy_headers: "yes"' },
    errors: ['include_legacy_headers (config.yaml:9:25): expected a boolean or null'],
  },
  {
    title: 'store.enabled missing',
    sections: { store: 'store: {}' },
    errors: ['store.enabled (config.yaml:2:1): required key missing'],
  },
  {
    title: 'store enabled without its backend',
    sections: { store: 'store: {enabled: true, type: redis}' },
    errors: [
      'store.uri (config.yaml:2:1): required key missing',
      'store.database (config.yaml:2:1): required key missing',
      "store.type (config.yaml:2:30): expected 'mongo'",
    ],
  },
  {
    title: 'a service without scopes',
    sections: { services: 'services: [{name: polytope}]' },
    errors: ['services[0].scopes (config.yaml:3:12): required key missing'],
  },
  // --- providers -----------------------------------------------------------------------------
  {
    title: 'providers as a mapping',
    sections: { providers: 'providers: {type: plain}' },
    errors: ['providers (config.yaml:7:12): expected a list'],
  },
  {
    title: 'unknown provider type (its other keys are not judged)',
    sections: { providers: 'providers:\n  - {type: ldap, name: x}' },
    errors: [
      "providers[0].type (config.yaml:8:12): expected one of 'plain', 'jwt', 'ecmwf-api', 'efas-api', 'openid-offline', 'ecmwf-token-generator'",
    ],
  },
  {
    title: 'provider without type',
    sections: { providers: 'providers:\n  - {name: x, realm: r}' },
    errors: ['providers[0].type (config.yaml:8:5): required key missing'],
  },
  {
    title: 'plain provider without realm or users',
    sections: { providers: 'providers:\n  - type: plain\n    name: local' },
    errors: [
      'providers[0] (config.yaml:8:5): expected users, htpasswd_file or both',
      'providers[0].realm (config.yaml:8:5): required key missing',
    ],
  },
  {
    title: 'plain user without password',
    sections: { providers: PLAIN('    users:\n      - username: alice') },
    errors: [
      'providers[0].users[0] (config.yaml:12:9): expected exactly one of password and password_hash',
    ],
  },
  {
    title: 'plain user with password and password_hash',
    sections: {
      providers: PLAIN(
        '    users:\n      - {username: alice, password: a, password_hash: "{SHA}x"}',
      ),
    },
    errors: [
      'providers[0].users[0] (config.yaml:12:9): expected exactly one of password and password_hash',
    ],
  },
  {
    title: 'plain user password as a number',
    sections: { providers: PLAIN('    users:\n      - username: alice\n        password: 1234') },
    errors: ['providers[0].users[0].password (config.yaml:13:19): expected a string'],
  },
  {
    title: 'plain user without username',
    sections: { providers: PLAIN('    users:\n      - password: x') },
    errors: ['providers[0].users[0].username (config.yaml:12:9): required key missing'],
  },
  {
    title: 'plain user roles: a string, then a list with a number',
    sections: {
      providers: PLAIN(
        '    users:\n      - {username: a, password: x, roles: admin}\n      - {username: b, password: x, roles: [admin, 7]}',
      ),
    },
    errors: [
      'providers[0].users[0].roles (config.yaml:12:43): expected a list or null',
      'providers[0].users[1].roles[1] (config.yaml:13:51): expected a string',
    ],
  },
  {
    title: 'password_hash in bcrypt form',
    sections: {
      providers: PLAIN(
        '    users:\n      - username: alice\n        password_hash: $2y$10$0123456789012345678901',
      ),
    },
    errors: [
      'providers[0].users[0].password_hash (config.yaml:13:24): bcrypt hashes ($2y$, $2a$, $2b$) are not supported: njs has no bcrypt, and bcrypt in JavaScript is far too slow to run inside the nginx worker; re-hash the password with `authotron hash-password` or `htpasswd -m`',
    ],
  },
  {
    title: 'htpasswd_file that does not exist',
    sections: { providers: PLAIN('    htpasswd_file: missing.htpasswd') },
    errors: [
      'providers[0].htpasswd_file (config.yaml:11:20): cannot read missing.htpasswd: no such file or directory',
    ],
  },
  {
    title: 'htpasswd_file that is a directory',
    sections: { providers: PLAIN('    htpasswd_file: .') },
    errors: ['providers[0].htpasswd_file (config.yaml:11:20): cannot read .: is a directory'],
  },
  {
    title: 'malformed htpasswd_file: the file and line are named',
    sections: { providers: PLAIN('    htpasswd_file: malformed.htpasswd') },
    errors: [
      'providers[0].htpasswd_file (config.yaml:11:20): malformed.htpasswd:2: expected `name:hash`, found no `:`',
    ],
  },
  {
    title: 'htpasswd_roles not a list',
    sections: { providers: PLAIN('    htpasswd_file: users.htpasswd\n    htpasswd_roles: admin') },
    errors: ['providers[0].htpasswd_roles (config.yaml:12:21): expected a list or null'],
  },
  {
    title: 'jwt provider without cert_uri and iam_realm',
    sections: { providers: 'providers:\n  - {type: jwt, name: keycloak, realm: desp}' },
    errors: [
      'providers[0].cert_uri (config.yaml:8:5): required key missing',
      'providers[0].iam_realm (config.yaml:8:5): required key missing',
    ],
  },
  {
    title: 'ecmwf-api without uri, efas-api with a numeric uri',
    sections: {
      providers:
        'providers:\n  - {type: ecmwf-api, name: a, realm: ecmwf}\n  - {type: efas-api, name: b, realm: efas, uri: 42}',
    },
    errors: [
      'providers[0].uri (config.yaml:8:5): required key missing',
      'providers[1].uri (config.yaml:9:49): expected an http:// or https:// URL without spaces, quotes, backslashes, `#`, `$`, `;`, `{` or `}`',
    ],
  },
  {
    title: 'openid-offline missing its client settings',
    sections: {
      providers:
        'providers:\n  - type: openid-offline\n    name: desp\n    realm: desp\n    cert_uri: https://iam/certs\n    iam_url: https://iam',
    },
    errors: [
      'providers[0].public_client_id (config.yaml:8:5): required key missing',
      'providers[0].private_client_id (config.yaml:8:5): required key missing',
      'providers[0].private_client_secret (config.yaml:8:5): required key missing',
    ],
  },
  {
    title: 'ecmwf-token-generator with a list for client_secret',
    sections: {
      providers:
        'providers:\n  - type: ecmwf-token-generator\n    name: tg\n    realm: ecmwf\n    cert_uri: https://iam/certs\n    client_id: c\n    client_secret: [s]\n    token_generator_url: https://tg',
    },
    errors: ['providers[0].client_secret (config.yaml:13:20): expected a string'],
  },
  // --- augmenters ------------------------------------------------------------------------------
  {
    title: 'unknown augmenter type',
    sections: { augmenters: 'augmenters:\n  - {type: keycloak, name: k, realm: r}' },
    errors: [
      "augmenters[0].type (config.yaml:10:12): expected one of 'plain', 'plain_advanced', 'ldap'",
    ],
  },
  {
    title: 'plain augmenter roles: a list, not a mapping of role to usernames',
    sections: { augmenters: 'augmenters:\n  - {type: plain, name: p, realm: r, roles: [admin]}' },
    errors: ['augmenters[0].roles (config.yaml:10:45): expected a mapping'],
  },
  {
    title: 'plain augmenter role with a single username instead of a list',
    sections: {
      augmenters:
        'augmenters:\n  - type: plain\n    name: p\n    realm: r\n    roles:\n      admin: alice',
    },
    errors: ['augmenters[0].roles.admin (config.yaml:14:14): expected a list'],
  },
  {
    title: 'plain_advanced without match, with a non-string attribute',
    sections: {
      augmenters:
        'augmenters:\n  - type: plain_advanced\n    name: pa\n    realm: r\n    augment:\n      attributes: {team: 7}',
    },
    errors: [
      'augmenters[0].match (config.yaml:10:5): required key missing',
      'augmenters[0].augment.attributes.team (config.yaml:14:26): expected a string',
    ],
  },
  {
    title: 'ldap augmenter without search_base and ldap_password',
    sections: { augmenters: 'augmenters:\n  - {type: ldap, name: l, realm: r, uri: "ldap://x"}' },
    errors: [
      'augmenters[0].search_base (config.yaml:10:5): required key missing',
      'augmenters[0].ldap_password (config.yaml:10:5): required key missing',
    ],
  },
  // --- version 1.0.0 -------------------------------------------------------------------------
  {
    title: 'v1 without bind_address',
    sections: { version: 'version: 1.0.0', server: null },
    errors: ['bind_address (config.yaml:1:1): required key missing'],
  },
  {
    title: 'v1 bind_address without a colon (the reference text)',
    sections: { version: 'version: 1.0.0', server: 'bind_address: localhost' },
    errors: [
      'bind_address (config.yaml:4:15): bind_address must be in host:port format, got: localhost',
    ],
  },
  {
    title: 'v1 bind_address with an empty host',
    sections: { version: 'version: 1.0.0', server: 'bind_address: "[]:8080"' },
    errors: ['bind_address (config.yaml:4:15): bind_address has empty host, got: []:8080'],
  },
  {
    title: 'v1 bind_address with a port beyond u16',
    sections: { version: 'version: 1.0.0', server: 'bind_address: "0.0.0.0:65536"' },
    errors: ['bind_address (config.yaml:4:15): invalid port in bind_address: 0.0.0.0:65536'],
  },
  // --- the environment -------------------------------------------------------------------------
  {
    title: 'env value of the wrong type',
    env: { AOT_JWT__EXP: 'soon' },
    errors: ['jwt.exp (env AOT_JWT__EXP): expected an integer'],
  },
  {
    title: 'env cannot address a list item: it builds a mapping (as the reference)',
    env: { AOT_PROVIDERS__0__NAME: 'x' },
    errors: ['providers (env AOT_PROVIDERS__0__NAME): expected a list'],
  },
  {
    title: 'env table with a missing key inside: reported at the variable that made it',
    sections: { jwt: null },
    env: { AOT_JWT: '{iss=me, secret="0123456789abcdef0123456789abcdef"}' },
    errors: ['jwt.exp (env AOT_JWT): required key missing'],
  },
  {
    title: 'env empty secret',
    env: { AOT_JWT__SECRET: '""' },
    errors: ['jwt.secret (env AOT_JWT__SECRET): expected a non-empty string'],
  },
  {
    title: 'problems from file and env together, in document order',
    sections: { server: 'server: {port: -1}', logging: 'logging: {level: loud, format: json}' },
    env: { AOT_AUTH__TIMEOUT_IN_MS: '-5' },
    errors: [
      'server.port (config.yaml:4:16): expected an integer >= 0',
      'logging.level (config.yaml:5:18): expected one of trace, debug, info, warn, error',
      'auth.timeout_in_ms (env AOT_AUTH__TIMEOUT_IN_MS): expected an integer >= 0',
    ],
  },
]

for (const { title, sections, text, env, errors } of cases) {
  test(title, (t) => {
    const result = compileText(text ?? configText(sections), env)
    t.deepEqual(result.errors, errors)
    t.is(result.config, undefined, 'nothing is compiled when there are errors')
  })
}

test('there are at least 30 malformed configs above', (t) => {
  t.true(cases.length >= 30)
})
