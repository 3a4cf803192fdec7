/**
 * auth.max_basic_length (issue 19) in real nginx, every leg: a Basic credential over the limit is
 * refused with 401 and the usual challenge, by the top layer (a header that starts with it) and by
 * the grammar (a later part), through auth_request, /authenticate and /whoami; a credential within
 * the limit authenticates; long Bearer tokens are not limited. The log line names the code at info.
 */
import test from 'ava'
import { withNginxOnEveryLeg } from '../support/suite'
import { basicHeader, header, rawRequest } from './http-client'

const LIMIT = 200
// 'longpw:' + 140 characters = 147 bytes = 196 characters of base64: within the limit.
const LONG_PASSWORD = 'p'.repeat(140)
const yaml = `
version: 2.0.0
logging: {level: info, format: console}
store: {enabled: false}
services: []
server: {port: 8080}
auth: {max_basic_length: ${LIMIT}}
jwt: {exp: 3600, iss: authotron-limit, secret: "credential-limit-integration-secret"}
providers:
  - type: plain
    name: local
    realm: localrealm
    users:
      - {username: longpw, password: "${LONG_PASSWORD}"}
`

const suite = withNginxOnEveryLeg(test, {
  config: yaml,
  conf: ({ port, paths }) => `
    server {
        listen 127.0.0.1:${port};
        include ${paths.repo}/nginx/authotron-endpoints.conf;
        # Not \`return\`: it would answer before auth_request runs.
        location = /api/x {
            include ${paths.repo}/nginx/authotron-protect.conf;
            alias ${paths.repo}/package.json;
        }
    }`,
})

const overLimit = `Basic ${Buffer.from('nobody:' + 'x'.repeat(LIMIT)).toString('base64')}`

suite.serial('a Basic credential over auth.max_basic_length: 401 with the challenge, the code logged at info; one within it authenticates', async (t, nginx) => {
  const within = basicHeader('longpw', LONG_PASSWORD)
  t.true(within.length - 'Authorization: Basic '.length <= LIMIT)
  t.is((await rawRequest(nginx.port, '/authenticate', [within])).status, 200)
  t.is((await rawRequest(nginx.port, '/api/x', [within])).status, 200)

  const logStart = nginx.errorLogSize()
  for (const path of ['/authenticate', '/api/x', '/whoami']) {
    // Alone (the top layer refuses it), after a Bearer part and repeated (the grammar refuses it).
    for (const value of [overLimit, `Bearer abc, ${overLimit}`, `${overLimit}, Basic Zm9vOmJhcg==`]) {
      const response = await rawRequest(nginx.port, path, [`Authorization: ${value}`])
      t.is(response.status, 401, `${path} ${value.slice(0, 20)}`)
      if (path === '/authenticate') t.regex(header(response, 'www-authenticate') ?? '', /^Basic realm="localrealm"/)
    }
  }
  const log = nginx.errorLogSince(logStart)
  t.true((log.match(/auth\.request\.rejected code="ERR_CREDENTIAL_TOO_LONG"/g) ?? []).length >= 6, log)
  t.false(log.includes(overLimit.slice(6, 60)), 'no credential in the log')
  t.notRegex(log, /\[alert\]|\[crit\]|exited on signal|js exception|Error:/, 'no worker error')
  // A long Bearer token is not held to the Basic limit: refused as a token, not by its length.
  const bearerLog = nginx.errorLogSize()
  t.is((await rawRequest(nginx.port, '/authenticate', [`Authorization: Bearer ${'a'.repeat(LIMIT * 10)}`])).status, 401)
  t.false(nginx.errorLogSince(bearerLog).includes('ERR_CREDENTIAL_TOO_LONG'))
})

