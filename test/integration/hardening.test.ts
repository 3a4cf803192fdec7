/**
 * Issue 19's findings about nginx's side, through nginx/nginx.conf with this module and the demo's
 * config, logging at `notice` as that file does — on every runtime leg.
 */
import test from 'ava'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { exampleConf } from '../nginx-harness/example-conf'
import { REPO_ROOT } from '../nginx-harness/paths'
import { withNginxOnEveryLeg } from '../support/suite'
import { rawRequest } from './http-client'

const demoConfig = readFileSync(join(REPO_ROOT, 'nginx/demo/config.yaml'), 'utf8')
const TEST_USER = 'dGVzdF91c2VyOnNlY3JldDEyMw==' // test_user:secret123
const TEST_USER2 = 'dGVzdF91c2VyMjpwQHNzdzByZA==' // test_user2:p@ssw0rd

const example = withNginxOnEveryLeg(test, {
  label: 'hardening',
  complete: true,
  httpbin: true,
  config: demoConfig,
  conf: exampleConf,
  errorLogLevel: 'notice',
})

example.serial('at notice, rejected header lines carrying a credential leave no trace of it in the error log', async (t, nginx) => {
  const offset = nginx.errorLogSize()
  const answers = [
    // nginx refuses a repeated Authorization (info: "client sent duplicate header line: …").
    await rawRequest(nginx.port, '/api/get', [`Authorization: Basic ${TEST_USER}`, `Authorization: Basic ${TEST_USER2}`]),
    // …and an invalid header line (info: "client sent invalid header line: …").
    await rawRequest(nginx.port, '/api/get', [`Authorization: Basic ${TEST_USER}`, `X-Bad\u0001Name: Basic ${TEST_USER2}`]),
    // A wrong password and an unknown user: refused, logged by the module without the credential.
    await rawRequest(nginx.port, '/authenticate', [`Authorization: Basic ${Buffer.from('test_user:wrong').toString('base64')}`]),
    await rawRequest(nginx.port, '/authenticate', [`Authorization: Basic ${Buffer.from('nobody:secret123').toString('base64')}`]),
  ]
  t.is(answers[0].status, 400)
  t.is(answers[2].status, 401)
  t.is(answers[3].status, 401)
  const logged = nginx.errorLogSince(offset)
  for (const secret of [TEST_USER, TEST_USER2, 'secret123', 'p@ssw0rd', 'wrong', Buffer.from('test_user:wrong').toString('base64')]) {
    t.false(logged.includes(secret), `the error log holds ${secret}:\n${logged}`)
  }
})

example.test("a client's X-Auth-Attributes and X-Auth-Username never reach httpbin", async (t, nginx) => {
  const response = await fetch(nginx.url('/api/headers'), {
    headers: {
      Authorization: `Basic ${TEST_USER}`,
      'X-Auth-Attributes': '{"admin":true}',
      'X-Auth-Username': 'admin',
      'X-Auth-Scopes': 'all',
    },
  })
  t.is(response.status, 200)
  const echoed = ((await response.json()) as { headers: { [name: string]: string } }).headers
  t.is(echoed['X-Auth-Username'], 'test_user')
  t.false('X-Auth-Attributes' in echoed)
  t.false('X-Auth-Scopes' in echoed)
})
