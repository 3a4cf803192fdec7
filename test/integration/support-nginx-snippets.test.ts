/**
 * The operator-facing files in nginx/ do what their comments say, on every leg. The auth decisions
 * come from a stand-in module with the product's handler names (test/support/fixtures/fake-authotron.js), so
 * these tests pin down nginx's side of the contract; the product's own flows are tested elsewhere.
 */
import test from 'ava'
import { instantiateExampleConf } from '../nginx-harness/example-conf'
import { REPO_ROOT } from '../nginx-harness/paths'
import { selectedLegs } from '../nginx-harness/runtimes'
import { withNginxOnEveryLeg } from '../support/suite'

const FAKE_MODULE = `${REPO_ROOT}/test/support/fixtures/fake-authotron.js`
const TEST_USER = { Authorization: 'Basic dGVzdF91c2VyOnNlY3JldDEyMw==' } // test_user:secret123
const TEST_USER2 = { Authorization: 'Basic dGVzdF91c2VyMjpwQHNzdzByZA==' } // test_user2:p@ssw0rd
const CHALLENGE = 'Basic realm="localrealm"'
/** The X-Auth-* request headers both protect snippets clear, beside the three they set. */
const CLEARED_HEADERS = ['X-Auth-Attributes', 'X-Auth-Scopes', 'X-Auth-User', 'X-Auth-Email', 'X-Auth-Groups', 'X-Auth-Token']
const SPOOFED = Object.fromEntries(CLEARED_HEADERS.map((name) => [name, 'spoofed']))

// nginx/nginx.conf itself, in front of httpbin.
const example = withNginxOnEveryLeg(test, {
  label: 'example',
  complete: true,
  httpbin: true,
  compiledConfig: {},
  conf: ({ leg, port, paths, httpbin }) =>
    instantiateExampleConf({
      leg,
      configPath: paths.config!,
      listen: `127.0.0.1:${port}`,
      backend: httpbin!.address,
      modulePath: FAKE_MODULE,
    }),
})

// The two snippets in a server of our own; a second server echoes what the backend received.
const snippets = withNginxOnEveryLeg(test, {
  label: 'snippets',
  portNames: ['backend'],
  conf: ({ port, ports, paths }) => `
    js_import authotron from ${FAKE_MODULE};

    server {
        listen 127.0.0.1:${port};
        add_header X-Server-Level inherited always;
        include ${paths.repo}/nginx/authotron-endpoints.conf;

        location /protected/ {
            include ${paths.repo}/nginx/authotron-protect.conf;
            proxy_pass http://127.0.0.1:${ports.backend}/;
        }
    }

    server {
        listen 127.0.0.1:${ports.backend};
        location / {
            return 200 "authorization=$http_authorization username=$http_x_auth_username realm=$http_x_auth_realm";
        }
    }`,
})

// authotron-access.conf beside authotron-protect.conf in one server, where js_access exists.
const access = withNginxOnEveryLeg(test, {
  label: 'access',
  legs: selectedLegs().filter((leg) => leg.features.jsAccess),
  portNames: ['backend'],
  conf: ({ port, ports, paths }) => `
    js_import authotron from ${FAKE_MODULE};
    include ${paths.repo}/nginx/authotron-cache.conf;

    server {
        listen 127.0.0.1:${port};
        include ${paths.repo}/nginx/authotron-endpoints.conf;

        location /fast/ {
            include ${paths.repo}/nginx/authotron-access.conf;
            proxy_pass http://127.0.0.1:${ports.backend}/;
        }

        location /protected/ {
            include ${paths.repo}/nginx/authotron-protect.conf;
            proxy_pass http://127.0.0.1:${ports.backend}/;
        }
    }

    server {
        listen 127.0.0.1:${ports.backend};
        location = /cleared {
            return 200 "${CLEARED_HEADERS.map((name) => `${name}=$http_${name.toLowerCase().replace(/-/g, '_')}`).join(' ')}";
        }
        location / {
            return 200 "authorization=$http_authorization username=$http_x_auth_username realm=$http_x_auth_realm";
        }
    }`,
})

example.test('without credentials: 302 to a relative /authenticate, with the challenge', async (t, nginx) => {
  const response = await fetch(nginx.url('/api/get'), { redirect: 'manual' })
  t.is(response.status, 302)
  t.is(response.headers.get('location'), '/authenticate?redirect=/api/get')
  t.is(response.headers.get('www-authenticate'), CHALLENGE)
})

example.test('with credentials: the backend gets the JWT and the legacy headers', async (t, nginx) => {
  const response = await fetch(nginx.url('/api/get'), { headers: TEST_USER })
  t.is(response.status, 200)
  const echoed = ((await response.json()) as { headers: { [name: string]: string } }).headers
  t.is(echoed.Authorization, 'Bearer fake.jwt.test_user')
  t.is(echoed['X-Auth-Username'], 'test_user')
  t.is(echoed['X-Auth-Realm'], 'localrealm')
  t.false('X-Auth-Roles' in echoed, 'an empty X-Auth-Roles is not forwarded')
})

example.test("a client's X-Auth-* headers never reach httpbin: the three set are the gateway's, the others cleared", async (t, nginx) => {
  const response = await fetch(nginx.url('/api/headers'), {
    headers: { ...TEST_USER, ...SPOOFED, 'X-Auth-Username': 'admin', 'X-Auth-Roles': 'admin' },
  })
  t.is(response.status, 200)
  const echoed = ((await response.json()) as { headers: { [name: string]: string } }).headers
  t.is(echoed['X-Auth-Username'], 'test_user')
  t.false('X-Auth-Roles' in echoed)
  for (const name of CLEARED_HEADERS) t.false(name in echoed, name)
})

example.test('the landing page and the endpoints are served by the module', async (t, nginx) => {
  t.is(await (await fetch(nginx.url('/'))).text(), 'fake home')
  t.is(await (await fetch(nginx.url('/health'))).text(), 'fake health')
})

snippets.test('a protected 401 carries the challenge exactly once', async (t, nginx) => {
  const response = await fetch(nginx.url('/protected/x'))
  t.is(response.status, 401)
  // Headers#get joins repeated headers with ", ": equality proves there is one.
  t.is(response.headers.get('www-authenticate'), CHALLENGE)
})

snippets.test('a 200 carries no challenge, and the backend gets the JWT', async (t, nginx) => {
  const response = await fetch(nginx.url('/protected/x'), { headers: TEST_USER })
  t.is(response.status, 200)
  t.is(response.headers.get('www-authenticate'), null)
  t.is(
    await response.text(),
    'authorization=Bearer fake.jwt.test_user username=test_user realm=localrealm',
  )
})

snippets.test("a client's own X-Auth-* headers never reach the backend", async (t, nginx) => {
  const response = await fetch(nginx.url('/protected/x'), {
    headers: { ...TEST_USER2, 'X-Auth-Username': 'admin', 'X-Auth-Realm': 'ecmwf' },
  })
  t.is(response.status, 200)
  t.is(await response.text(), 'authorization=Bearer fake.jwt.test_user2 username= realm=')
})

snippets.test('/_auth is internal; the public endpoints map to their handlers', async (t, nginx) => {
  t.is((await fetch(nginx.url('/_auth'))).status, 404)
  for (const name of ['whoami', 'providers', 'augmenters', 'health']) {
    t.is(await (await fetch(nginx.url(`/${name}`))).text(), `fake ${name}`, name)
  }
  const authenticate = await fetch(nginx.url('/authenticate'))
  t.is(authenticate.status, 401)
  t.is(authenticate.headers.get('www-authenticate'), CHALLENGE)
  t.is(await (await fetch(nginx.url('/authenticate'), { headers: TEST_USER })).text(), 'Authenticated successfully')
})

snippets.test('as documented, the snippet replaces server-level add_header', async (t, nginx) => {
  t.is((await fetch(nginx.url('/health'))).headers.get('x-server-level'), 'inherited')
  t.is((await fetch(nginx.url('/protected/x'), { headers: TEST_USER })).headers.get('x-server-level'), null)
})

access.test('js_access: the backend gets the JWT; a client cannot spoof X-Auth-*', async (t, nginx) => {
  const response = await fetch(nginx.url('/fast/x'), { headers: TEST_USER })
  t.is(response.status, 200)
  t.is(
    await response.text(),
    'authorization=Bearer fake.jwt.test_user username=test_user realm=localrealm',
  )
  const spoofed = await fetch(nginx.url('/fast/x'), {
    headers: { ...TEST_USER2, 'X-Auth-Username': 'admin' },
  })
  t.is(await spoofed.text(), 'authorization=Bearer fake.jwt.test_user2 username= realm=')
})

access.test("js_access: a client's other X-Auth-* headers are cleared too", async (t, nginx) => {
  for (const path of ['/fast/cleared', '/protected/cleared']) {
    const response = await fetch(nginx.url(path), { headers: { ...TEST_USER, ...SPOOFED } })
    t.is(response.status, 200, path)
    t.is(await response.text(), CLEARED_HEADERS.map((name) => `${name}=`).join(' '), path)
  }
})

access.test('js_access: a failure is the 401 with the challenge, once', async (t, nginx) => {
  const response = await fetch(nginx.url('/fast/x'))
  t.is(response.status, 401)
  t.is(response.headers.get('www-authenticate'), CHALLENGE)
})

access.test('both snippets work side by side in one server', async (t, nginx) => {
  for (const path of ['/fast/x', '/protected/x']) {
    const response = await fetch(nginx.url(path), { headers: TEST_USER })
    t.is(await response.text(), 'authorization=Bearer fake.jwt.test_user username=test_user realm=localrealm', path)
  }
})
