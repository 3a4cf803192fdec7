/**
 * Access rules (issue 17, src/rules/access-rule.ts) in real nginx, on every leg: each kind of
 * requirement, AND and OR, named rules, 401 before 403, percent-encoded and UTF-8 role names, a
 * broken rule's 500, and the grant tiers (cache hit, precomputed Basic, full pipeline), in both
 * modes: auth_request (`/ar/<rule>/`) and, where the leg has js_access (njs ≥ 0.9.9), the access
 * phase (`/ja/<rule>/`). Tests that need js_access say so in their title on the legs without it.
 */
import test from 'ava'
import type { ConfContext } from '../nginx-harness/nginx'
import { withNginxOnEveryLeg } from '../support/suite'
import { basicHeader, header, rawRequest } from './http-client'

const yaml = `
version: 2.0.0
logging: {level: info, format: console}
auth: {grant_cache_ttl_in_ms: 60000}
include_legacy_headers: true
store: {enabled: false}
services: []
server: {port: 8080}
jwt: {exp: 3600, iss: authotron-rules, secret: "rules-integration-secret-0123456789"}
providers:
  - type: plain
    name: local
    realm: localrealm
    users:
      - {username: alice, password: alice-pw, roles: [reader]}
      - {username: bob, password: bob-pw, roles: [reader]}
      - {username: carol, password: carol-pw, roles: ["data team", "a,b", "météo"]}
  - type: plain
    name: other
    realm: otherrealm
    users:
      - {username: dave, password: dave-pw, roles: [reader]}
augmenters:
  - {type: plain, name: roles, realm: localrealm, roles: {admin: [alice]}}
  - {type: plain_advanced, name: team, realm: localrealm, match: {role: [admin]}, augment: {attributes: {team: core}}}
access_rules:
  admins: "role=admin"
  staff: "@admins | realm=otherrealm"
`

/** Location name → its rule (none: no `set`). */
const RULES: { [name: string]: string | undefined } = {
  none: undefined,
  admin: 'role=admin',
  anyrole: 'role=nobody,admin',
  allroles: 'all-roles=admin,reader',
  realm: 'realm=otherrealm',
  realms: 'realm=nowhere,otherrealm,localrealm',
  attribute: 'attribute.team=core',
  scope: 'scope=read',
  and: 'realm=localrealm role=reader',
  or: 'role=admin | realm=otherrealm',
  named: '@admins',
  namedor: '@staff',
  missing: '@nosuch',
  broken: 'roles=admin',
  spaces: 'role=data%20team',
  commas: 'role=a%2Cb',
  comma: 'role=a',
  unicode: 'role=météo',
  encoded: 'role=m%C3%A9t%C3%A9o',
}

function conf({ leg, port, ports, paths }: ConfContext): string {
  const locations = Object.entries(RULES).map(([name, rule]) => {
    const set = rule === undefined ? '' : `set $authotron_require "${rule}";`
    const access = leg.features.jsAccess
      ? `location /ja/${name}/ {
          ${set}
          include ${paths.repo}/nginx/authotron-access.conf;
          proxy_pass http://127.0.0.1:${ports.backend}/;
        }`
      : ''
    return `
        location /ar/${name}/ {
          ${set}
          include ${paths.repo}/nginx/authotron-protect.conf;
          error_page 403 = @authotron_forbidden;
          proxy_pass http://127.0.0.1:${ports.backend}/;
        }
        ${access}`
  })
  return `
    ${leg.features.sharedDict ? `include ${paths.repo}/nginx/authotron-cache.conf;` : ''}
    server {
      listen 127.0.0.1:${port};
      include ${paths.repo}/nginx/authotron-endpoints.conf;
      ${locations.join('\n')}
      # Without the error_page: the status still is 403, the body nginx's own.
      location /plain403/ {
        set $authotron_require "role=admin";
        include ${paths.repo}/nginx/authotron-protect.conf;
        proxy_pass http://127.0.0.1:${ports.backend}/;
      }
    }
    server {
      listen 127.0.0.1:${ports.backend};
      location / {
        return 200 "authorization=$http_authorization\\nusername=$http_x_auth_username\\nrealm=$http_x_auth_realm\\nroles=$http_x_auth_roles\\n";
      }
    }`
}

const suite = withNginxOnEveryLeg(test, { config: yaml, portNames: ['backend'], conf })

const USERS: { [name: string]: string } = {
  alice: basicHeader('alice', 'alice-pw'),
  bob: basicHeader('bob', 'bob-pw'),
  carol: basicHeader('carol', 'carol-pw'),
  dave: basicHeader('dave', 'dave-pw'),
}

/** The prefixes of both modes on this leg. */
function modes(leg: { features: { jsAccess: boolean } }): string[] {
  return leg.features.jsAccess ? ['/ar', '/ja'] : ['/ar']
}

const BOTH = '(auth_request; js_access too where the leg has it, njs ≥ 0.9.9)'

/** location → user → expected status, or 403 with the unmet categories. */
const EXPECTED: [string, string, 200 | string[]][] = [
  ['admin', 'alice', 200],
  ['admin', 'bob', ['role']],
  ['anyrole', 'alice', 200],
  ['anyrole', 'bob', ['role']],
  ['allroles', 'alice', 200],
  ['allroles', 'bob', ['role']],
  ['realm', 'dave', 200],
  ['realm', 'alice', ['realm']],
  ['realms', 'alice', 200],
  ['realms', 'dave', 200],
  ['attribute', 'alice', 200],
  ['attribute', 'bob', ['attribute']],
  ['scope', 'alice', ['scope']],
  ['and', 'bob', 200],
  ['and', 'dave', ['realm']],
  ['and', 'carol', ['role']],
  ['or', 'alice', 200],
  ['or', 'dave', 200],
  ['or', 'bob', ['role', 'realm']],
  ['named', 'alice', 200],
  ['named', 'bob', ['role']],
  ['namedor', 'dave', 200],
  ['namedor', 'carol', ['role', 'realm']],
  ['spaces', 'carol', 200],
  ['spaces', 'bob', ['role']],
  ['commas', 'carol', 200],
  ['comma', 'carol', ['role']],
  ['unicode', 'carol', 200],
  ['encoded', 'carol', 200],
  ['unicode', 'alice', ['role']],
  ['none', 'bob', 200],
]

suite.test(`each kind of rule, AND, OR, named rules, role names with spaces, commas and UTF-8 ${BOTH}`, async (t, nginx) => {
  for (const mode of modes(nginx.leg)) {
    for (const [location, user, expected] of EXPECTED) {
      const what = `${mode}/${location}/ as ${user}`
      const response = await rawRequest(nginx.port, `${mode}/${location}/get`, [USERS[user]])
      if (expected === 200) {
        t.is(response.status, 200, what)
        t.regex(response.body, new RegExp(`^authorization=Bearer [\\w-]+\\.[\\w-]+\\.[\\w-]+\\nusername=${user}\\n`), what)
      } else {
        t.is(response.status, 403, what)
        t.is(header(response, 'content-type'), 'application/json', what)
        t.deepEqual(JSON.parse(response.body), { error: 'Forbidden', unmet: expected }, what)
        t.false(/reader|admin|data team|météo|localrealm|otherrealm/.test(response.body), what)
      }
    }
  }
})

suite.test(`missing or bad credentials are 401 before any rule ${BOTH}`, async (t, nginx) => {
  for (const mode of modes(nginx.leg)) {
    const none = await rawRequest(nginx.port, `${mode}/admin/get`, [])
    t.is(none.status, 401, mode)
    t.is(header(none, 'www-authenticate'), 'Basic realm="localrealm", Basic realm="otherrealm"', mode)
    t.is((await rawRequest(nginx.port, `${mode}/admin/get`, [basicHeader('alice', 'wrong')])).status, 401, mode)
  }
})

suite.test(`an allowed request's backend gets what a location without a rule gives it ${BOTH}`, async (t, nginx) => {
  for (const mode of modes(nginx.leg)) {
    const ruled = await rawRequest(nginx.port, `${mode}/admin/get`, [USERS.alice])
    const free = await rawRequest(nginx.port, `${mode}/none/get`, [USERS.alice])
    t.is(ruled.status, 200)
    const strip = (body: string) => body.replace(/^authorization=Bearer [^\n]*\n/, '')
    t.is(strip(ruled.body), strip(free.body))
    t.regex(ruled.body, /^authorization=Bearer .*\nusername=alice\nrealm=localrealm\nroles=reader,admin\n$/s)
  }
})

suite.test(`a grant cached for a location without a rule does not open one with a rule, in every grant tier ${BOTH}`, async (t, nginx) => {
  for (const mode of modes(nginx.leg)) {
    // Precomputed Basic (no X-Auth-Realm), then grant-cache hits where the leg has a shared dict;
    // with X-Auth-Realm the full pipeline, then its hits.
    for (const extra of [[], ['X-Auth-Realm: localrealm']]) {
      for (let i = 0; i < 3; i++) {
        t.is((await rawRequest(nginx.port, `${mode}/none/get`, [USERS.bob, ...extra])).status, 200)
        t.is((await rawRequest(nginx.port, `${mode}/admin/get`, [USERS.bob, ...extra])).status, 403)
        t.is((await rawRequest(nginx.port, `/authenticate`, [USERS.bob, ...extra])).status, 200)
        t.is((await rawRequest(nginx.port, `${mode}/admin/get`, [USERS.alice, ...extra])).status, 200)
        t.is((await rawRequest(nginx.port, `${mode}/none/get`, [USERS.alice, ...extra])).status, 200)
      }
    }
  }
})

suite.test(`an unknown named rule or a rule that does not parse is 500 with one error-log line, never 200 ${BOTH}`, async (t, nginx) => {
  for (const mode of modes(nginx.leg)) {
    for (const [location, code, rule] of [
      ['missing', 'ERR_ACCESS_RULE_UNKNOWN', '@nosuch'],
      ['broken', 'ERR_ACCESS_RULE_INVALID', 'roles=admin'],
    ]) {
      const offset = nginx.errorLogSize()
      const response = await rawRequest(nginx.port, `${mode}/${location}/get?secret=s3cr3t`, [USERS.alice])
      t.is(response.status, 500, `${mode}/${location}/`)
      const lines = nginx
        .errorLogSince(offset)
        .split('\n')
        .filter((line) => line.includes('access_rule.unusable'))
      t.is(lines.length, 1, lines.join('\n'))
      t.true(lines[0].includes(`code=${code}`) && lines[0].includes(JSON.stringify(rule)), lines[0])
      t.true(lines[0].includes(`path="${mode}/${location}/get"`), lines[0])
      t.false(lines[0].includes('s3cr3t'))
    }
  }
})

suite.test('through auth_request without the error_page the 403 keeps its status, with nginx’s own body', async (t, nginx) => {
  const refused = await rawRequest(nginx.port, '/plain403/get', [USERS.bob])
  t.is(refused.status, 403)
  t.regex(refused.body, /<title>403 Forbidden<\/title>/)
  t.is((await rawRequest(nginx.port, '/plain403/get', [USERS.alice])).status, 200)
})

suite.test('a location without a rule logs no warning about $authotron_require', async (t, nginx) => {
  const offset = nginx.errorLogSize()
  t.is((await rawRequest(nginx.port, '/ar/none/get', [USERS.bob])).status, 200)
  t.is((await rawRequest(nginx.port, '/authenticate', [USERS.bob])).status, 200)
  t.notRegex(nginx.errorLogSince(offset), /uninitialized|authotron_require/)
})
