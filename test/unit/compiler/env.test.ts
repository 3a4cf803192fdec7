import test from 'ava'
import { parseEnvValue, readEnvOverrides } from '../../../src/compiler/env'
import { compileText, configText } from './support'

// [text, value, texts of the values typed from bare text]
const values: [string, unknown, string[]][] = [
  ['true', true, ['true']],
  ['false', false, ['false']],
  ['True', 'True', []],
  ['3000', 3000, ['3000']],
  ['-5', -5, ['-5']],
  ['+7', 7, ['+7']],
  ['1.5', 1.5, ['1.5']],
  ['.5', 0.5, ['.5']],
  ['1e5', '1e5', []],
  ['2.0.0', '2.0.0', []],
  ['0.0.0.0', '0.0.0.0', []],
  ['some-secret', 'some-secret', []],
  ['  spaced out  ', '  spaced out  ', []],
  ['"123456"', '123456', []],
  ['"a \\"quoted\\" \\u00e9\\u{1F600}\\n"', 'a "quoted" é😀\n', []],
  ['"bad \\q escape"', '"bad \\q escape"', []],
  ['"unterminated', '"unterminated', []],
  ['[]', [], []],
  ['[a, b]', ['a', 'b'], []],
  ['[1, two, 3.5, true]', [1, 'two', 3.5, true], ['1', '3.5', 'true']],
  ['[a, b,]', ['a', 'b'], []],
  ['[a,,b]', '[a,,b]', []],
  ['[a, [b, c]]', ['a', ['b', 'c']], []],
  ['[unclosed', '[unclosed', []],
  ['{}', {}, []],
  ['{iss=me, exp=60}', { iss: 'me', exp: 60 }, ['60']],
  ['{ "odd key" = "v" , n = {x = 1} }', { 'odd key': 'v', n: { x: 1 } }, ['1']],
  ['{novalue}', '{novalue}', []],
  ['[{type=plain, users=[]}]', [{ type: 'plain', users: [] }], []],
  ['[a] trailing', '[a] trailing', []],
]

for (const [text, value, retyped] of values) {
  test(`env value ${JSON.stringify(text)}`, (t) => {
    const parsed = parseEnvValue(text)
    t.deepEqual(parsed.value, value)
    t.deepEqual(
      parsed.retypable.map((entry) => entry.raw),
      retyped,
    )
  })
}

test('variable names: prefix in any case, `__` nests, keys lower-cased, AOT_CONFIG_PATH skipped', (t) => {
  const { overrides, diagnostics } = readEnvOverrides({
    AOT_JWT__SECRET: 's',
    aot_Auth__Timeout_In_Ms: '1',
    AOT_CONFIG_PATH: '/etc/aot.yaml',
    AOTX: 'ignored',
    HOME: '/root',
    AOT_A____B: 'x',
  })
  t.deepEqual(
    overrides.map((override) => [override.variable, override.path]),
    [
      ['AOT_JWT__SECRET', ['jwt', 'secret']],
      ['aot_Auth__Timeout_In_Ms', ['auth', 'timeout_in_ms']],
    ],
  )
  t.deepEqual(diagnostics, [
    {
      severity: 'warning',
      where: { kind: 'env', variable: 'AOT_A____B' },
      message: 'empty key between `__` separators; variable ignored',
    },
  ])
})

test('a numeric value for a string key is taken as a string (deviation: the reference fails)', (t) => {
  const result = compileText(configText(), { AOT_JWT__SECRET: '12345678901234567890123456789012' })
  t.deepEqual(result.errors, [])
  t.is(result.config?.jwt.secret, '12345678901234567890123456789012')
})

test('numbers stay numbers where the schema wants numbers, booleans where it wants booleans', (t) => {
  const result = compileText(configText(), {
    AOT_JWT__EXP: '60',
    AOT_AUTH__TIMEOUT_IN_MS: '250',
    AOT_INCLUDE_LEGACY_HEADERS: 'true',
  })
  t.deepEqual(result.errors, [])
  t.is(result.config?.jwt.exp, 60)
  t.is(result.config?.timeoutMs, 250)
  t.true(result.config?.includeLegacyHeaders)
})

test('retyping reaches into lists and tables: roles [1, 2] and a table of strings', (t) => {
  const result = compileText(configText(), {
    AOT_PROVIDERS:
      '[{type=plain, name=n, realm=r, users=[{username=007, password=123, roles=[1, true]}]}]',
    AOT_JWT: '{iss=2024}',
  })
  t.deepEqual(result.errors, [])
  const provider = result.config!.providers[0] as {
    users: { [key: string]: { roles: string[] }[] }
  }
  t.deepEqual(Object.keys(provider.users), ['=007'])
  t.deepEqual(provider.users['=007'][0].roles, ['1', 'true'])
  t.is(result.config?.jwt.iss, '2024')
})

test('a value the schema does not know stays typed (and is warned about as a key)', (t) => {
  const result = compileText(configText(), { AOT_SERVER__WORKERS: '4' })
  t.deepEqual(result.errors, [])
  t.deepEqual(result.warnings, ['server.workers (env AOT_SERVER__WORKERS): unknown key, ignored'])
})

test('mappings merge with the file, the environment winning; lists are replaced whole', (t) => {
  const text = configText({
    providers:
      'providers:\n  - {type: plain, name: a, realm: r, users: [{username: a, password: x}]}\n  - {type: plain, name: b, realm: r, users: [{username: b, password: x}]}',
  })
  const result = compileText(text, {
    AOT_JWT: '{iss=from-env}',
    AOT_PROVIDERS: '[{type=plain, name=c, realm=r, users=[]}]',
  })
  t.deepEqual(result.errors, [])
  t.is(result.config?.jwt.iss, 'from-env')
  t.is(result.config?.jwt.exp, 3600, 'the file keeps the keys the environment does not set')
  t.deepEqual(
    result.config?.providers.map((provider) => provider.name),
    ['c'],
  )
})

test('a deeper variable wins over the same key inside a shallower table', (t) => {
  const result = compileText(configText(), {
    AOT_JWT__ISS: 'deep',
    AOT_JWT: '{iss=shallow}',
  })
  t.is(result.config?.jwt.iss, 'deep')
})

test('the whole configuration can come from the environment', (t) => {
  const result = compileText('', {
    AOT_VERSION: '2.0.0',
    AOT_STORE: '{enabled=false}',
    AOT_SERVICES: '[]',
    AOT_PROVIDERS: '[]',
    AOT_SERVER: '{port=8080}',
    AOT_JWT: '{iss=me, exp=60, secret="0123456789abcdef0123456789abcdef"}',
    AOT_LOGGING: '{level=info, format=json}',
  })
  t.deepEqual(result.errors, [])
  t.is(result.config?.challenge, 'Bearer')
})
