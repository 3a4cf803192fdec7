/**
 * The preloaded config's name (issue 13): `authotron_cfg` is what the README documents; the name
 * before 2026-12-06, `authotron_config`, is still read for one release with a warning, because on
 * njs 0.7.9 a preloaded object whose name is longer than 14 characters leaks ~17 bytes per request.
 * On every runtime leg; QuickJS has no preloaded objects and reads `$authotron_config_file`, so
 * there the old name changes nothing and no warning is logged.
 */
import test from 'ava'
import { withNginxOnEveryLeg } from '../support/suite'
import { basicHeader, rawRequest } from './http-client'

const CONFIG = `
version: 2.0.0
logging: {level: info, format: console}
store: {enabled: false}
services: []
server: {port: 8080}
jwt: {exp: 3600, iss: authotron-test, secret: "preload-name-secret-of-32-bytes!!"}
providers:
  - {type: plain, name: p, realm: r, users: [{username: u, password: pw}]}
`

const serverBlock = ({ port, paths }: any) => `
  server {
    listen 127.0.0.1:${port};
    include ${paths.repo}/nginx/authotron-endpoints.conf;
  }`

const deprecatedName = withNginxOnEveryLeg(test, {
  label: 'old-preload-name',
  config: CONFIG,
  conf: serverBlock,
  preloadName: 'authotron_config',
})

deprecatedName.serial('the deprecated name still authenticates, and says once per 1,000 connections how to rename it', async (t, nginx) => {
  const offset = nginx.errorLogSize()
  // One connection a request: 1,000 consecutive connection numbers hold exactly one ≡ 1 (mod
  // 1000), whatever the harness's readiness probe used before.
  const good = basicHeader('u', 'pw')
  const statuses: number[] = []
  for (let i = 0; i < 999; i++) statuses.push((await rawRequest(nginx.port, '/authenticate', [good])).status)
  t.deepEqual([...new Set(statuses)], [200])
  t.is((await rawRequest(nginx.port, '/authenticate', [basicHeader('u', 'wrong')])).status, 401)
  const notices = nginx.errorLogSince(offset).split('\n').filter((line) => line.includes('ERR_CONFIG_DEPRECATED'))
  if (nginx.leg.expected.engine === 'QuickJS') {
    t.deepEqual(notices, [], 'QuickJS reads $authotron_config_file; the preload name does not matter there')
    return
  }
  t.is(notices.length, 1, notices.join('\n'))
  t.regex(notices[0], /\[warn\].*rename it to `js_preload_object authotron_cfg`.*longer than 14 characters/)
})

const documentedName = withNginxOnEveryLeg(test, { label: 'new-preload-name', config: CONFIG, conf: serverBlock })

documentedName.serial('the documented name logs no deprecation notice', async (t, nginx) => {
  const offset = nginx.errorLogSize()
  for (let i = 0; i < 20; i++) t.is((await rawRequest(nginx.port, '/authenticate', [basicHeader('u', 'pw')])).status, 200)
  t.notRegex(nginx.errorLogSince(offset), /ERR_CONFIG_DEPRECATED/)
})
