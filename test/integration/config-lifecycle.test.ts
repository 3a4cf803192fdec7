/**
 * The compiled config's life in nginx (issue 3): a JSON of another format version is refused with
 * a clear error-log line and 500 answers, and `authotron compile` + `nginx -s reload` applies a
 * changed config without failing requests in flight. On every runtime leg.
 */
import test from 'ava'
import { jwtVerify } from 'jose'
import { COMPILED_FORMAT } from '../../src/config/compiled'
import { withNginxOnEveryLeg } from '../support/suite'
import { basicHeader, rawRequest } from './http-client'

const SECRET = 'lifecycle-secret-key-of-32-bytes!!'

function yaml(password: string, role: string): string {
  return `
version: 2.0.0
logging: {level: info, format: console}
store: {enabled: false}
services: []
server: {port: 8080}
jwt: {exp: 3600, iss: authotron-test, secret: "${SECRET}"}
providers:
  - {type: plain, name: p, realm: r, users: [{username: u, password: "${password}", roles: [${role}]}]}
`
}

const serverBlock = ({ leg, port, paths }: any) => `
  ${leg.features.sharedDict ? `include ${paths.repo}/nginx/authotron-cache.conf;` : ''}
  server {
    listen 127.0.0.1:${port};
    include ${paths.repo}/nginx/authotron-endpoints.conf;
  }`

const reloading = withNginxOnEveryLeg(test, { config: yaml('before', 'old-role'), conf: serverBlock })

reloading.serial('compile + reload applies the new config; no request in flight fails', async (t, nginx) => {
  const before = basicHeader('u', 'before')
  const after = basicHeader('u', 'after')
  t.is((await rawRequest(nginx.port, '/authenticate', [before])).status, 200)

  // Clients hammer the server while it reloads: every answer must be 200 (old config) or, once the
  // new workers run, 200 for the new password / 401 for the old one — never a 5xx or a reset.
  let stop = false
  const statuses: number[] = []
  const errors: string[] = []
  const client = async (credential: string) => {
    while (!stop) {
      try {
        statuses.push((await rawRequest(nginx.port, '/authenticate', [credential])).status)
      } catch (e) {
        errors.push(String(e))
      }
    }
  }
  const clients = [client(before), client(before), client(after)]
  await new Promise((resolve) => setTimeout(resolve, 200))
  await nginx.reload({ config: yaml('after', 'new-role') })
  await new Promise((resolve) => setTimeout(resolve, 200))
  stop = true
  await Promise.all(clients)

  t.deepEqual(errors, [])
  t.true(statuses.length > 20, `only ${statuses.length} requests ran`)
  t.deepEqual(statuses.filter((s) => s !== 200 && s !== 401), [])
  t.is((await rawRequest(nginx.port, '/authenticate', [before])).status, 401)
  const response = await rawRequest(nginx.port, '/authenticate', [after])
  t.is(response.status, 200)
  const token = response.headers['authorization'][0].slice(7)
  const { payload } = await jwtVerify(token, new TextEncoder().encode(SECRET))
  t.deepEqual(payload.roles, ['new-role'])
})

const wrongFormat = withNginxOnEveryLeg(test, {
  label: 'format',
  compiledConfig: { format: 999, providers: [] },
  conf: serverBlock,
})

wrongFormat.test('a compiled config of another format version: 500 and a clear error-log line', async (t, nginx) => {
  const offset = nginx.errorLogSize()
  for (const path of ['/authenticate', '/whoami', '/providers', '/health']) {
    const response = await rawRequest(nginx.port, path, [basicHeader('u', 'before')])
    t.is(response.status, 500, path)
  }
  t.regex(
    nginx.errorLogSince(offset),
    new RegExp(`ERR_CONFIG_FORMAT the compiled config has format 999 but this module reads format ${COMPILED_FORMAT}: recompile it`),
  )
})
