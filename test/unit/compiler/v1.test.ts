import test from 'ava'
import { compileConfig } from '../../../src/compiler/compile'
import { parseBindAddress } from '../../../src/compiler/v1'
import { FIXTURES } from './support'

// authotron-behaviour.md §2.13, including its examples.
const addresses: [string, ReturnType<typeof parseBindAddress>][] = [
  ['127.0.0.1:8080', { host: '127.0.0.1', port: 8080 }],
  ['[::1]:3000', { host: '::1', port: 3000 }],
  ['::1:3000', { host: '::1', port: 3000 }],
  ['localhost:8080', { host: 'localhost', port: 8080 }],
  ['0.0.0.0:0', { host: '0.0.0.0', port: 0 }],
  ['host:+80', { host: 'host', port: 80 }],
  ['host:65535', { host: 'host', port: 65535 }],
  ['localhost', { error: 'bind_address must be in host:port format, got: localhost' }],
  [':8080', { error: 'bind_address has empty host, got: :8080' }],
  ['[]:8080', { error: 'bind_address has empty host, got: []:8080' }],
  ['host:65536', { error: 'invalid port in bind_address: host:65536' }],
  ['host:', { error: 'invalid port in bind_address: host:' }],
  ['host:-1', { error: 'invalid port in bind_address: host:-1' }],
  ['host:80a', { error: 'invalid port in bind_address: host:80a' }],
]

for (const [address, expected] of addresses) {
  test(`bind_address ${JSON.stringify(address)}`, (t) => {
    t.deepEqual(parseBindAddress(address), expected)
  })
}

test('a v1 document compiles like its v2 equivalent, with a note for bind_address', (t) => {
  const result = compileConfig({ path: 'v1.yaml', env: {}, cwd: FIXTURES })
  t.deepEqual(result.errors, [])
  t.deepEqual(result.warnings, [])
  t.deepEqual(result.notes, [
    "bind_address: NGINX's `listen` decides the address and port (the value is still checked as the reference does)",
    "logging.format: messages go to NGINX's error_log, in NGINX's format",
    'services: read by nothing, here as in the reference',
  ])
  t.is(result.config?.challenge, 'Basic realm="ecmwf"')
  t.is(result.config?.logLevel, 'info')
  t.is(result.config?.timeoutMs, 5000)
})

test('AOT_METRICS__* is no key of a v1 document (the reference ignores it silently)', (t) => {
  const result = compileConfig({
    path: 'v1.yaml',
    env: { AOT_METRICS__PORT: '9100' },
    cwd: FIXTURES,
  })
  t.deepEqual(result.errors, [])
  t.deepEqual(result.warnings, ['metrics (env AOT_METRICS__PORT): unknown key, ignored'])
})
