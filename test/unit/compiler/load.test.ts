import test from 'ava'
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { compileConfig } from '../../../src/compiler/compile'
import { loadConfig } from '../../../src/compiler/load'
import { parseYaml } from '../../../src/compiler/yaml'
import { configText } from './support'

function tree(): { root: string; nested: string } {
  const root = mkdtempSync(join(tmpdir(), 'aot-load-'))
  const nested = join(root, 'a', 'b')
  mkdirSync(nested, { recursive: true })
  return { root, nested }
}

test('without a path: config.yaml in the working directory', (t) => {
  const { root } = tree()
  writeFileSync(join(root, 'config.yaml'), configText())
  const result = compileConfig({ env: {}, cwd: root })
  t.deepEqual(result.errors, [])
  t.is(result.source, 'config.yaml')
})

test('without a path: config.yaml in a parent directory, as figment finds it (with a note)', (t) => {
  const { root, nested } = tree()
  writeFileSync(join(root, 'config.yaml'), configText())
  const result = compileConfig({ env: {}, cwd: nested })
  t.deepEqual(result.errors, [])
  t.is(result.source, join('..', '..', 'config.yaml'))
  t.is(result.notes[0], `using ${join('..', '..', 'config.yaml')}, found in a parent directory`)
})

test('AOT_CONFIG_PATH names the file; relative ones are searched upwards too', (t) => {
  const { root, nested } = tree()
  writeFileSync(join(root, 'aot.yml'), configText())
  t.is(
    compileConfig({ env: { AOT_CONFIG_PATH: 'aot.yml' }, cwd: nested }).source,
    join('..', '..', 'aot.yml'),
  )
  t.deepEqual(
    compileConfig({ env: { AOT_CONFIG_PATH: join(root, 'aot.yml') }, cwd: nested }).errors,
    [],
  )
})

test('no file at all: an empty document plus the environment, with a warning', (t) => {
  const { nested } = tree()
  const result = compileConfig({ env: {}, cwd: nested })
  t.is(result.source, undefined)
  t.deepEqual(result.errors, ['version: required key missing'])
  t.deepEqual(result.warnings, [
    'no config file config.yaml in the working directory or its parents; the configuration comes from AOT_ environment variables alone',
  ])
})

test('an explicit path must exist', (t) => {
  const { root } = tree()
  const result = compileConfig({ path: 'nope.yaml', env: {}, cwd: root })
  t.deepEqual(result.errors, ['cannot read config file nope.yaml: no such file or directory'])
})

test('an empty file is an empty document', (t) => {
  const { root } = tree()
  writeFileSync(join(root, 'config.yaml'), '# nothing yet\n')
  t.deepEqual(compileConfig({ path: 'config.yaml', env: {}, cwd: root }).errors, [
    'version: required key missing',
  ])
})

test('htpasswd_file is relative to the config file, not to the working directory', (t) => {
  const { root, nested } = tree()
  writeFileSync(join(nested, 'users.htpasswd'), 'dora:{PLAIN}pw\n')
  writeFileSync(
    join(nested, 'config.yaml'),
    configText({
      providers: 'providers:\n  - {type: plain, name: f, realm: r, htpasswd_file: users.htpasswd}',
    }),
  )
  const result = compileConfig({ path: join('a', 'b', 'config.yaml'), env: {}, cwd: root })
  t.deepEqual(result.errors, [])
  t.deepEqual(Object.keys((result.config!.providers[0] as { users: object }).users), ['=dora'])
})

test('YAML: anchors, aliases and merge keys are resolved; positions stay with the text', (t) => {
  const { doc, diagnostics } = parseYaml(
    [
      'base: &base {realm: r, type: plain}',
      'one:',
      '  <<: *base',
      '  name: one',
      'two: *base',
    ].join('\n'),
    'c.yaml',
  )
  t.deepEqual(diagnostics, [])
  t.deepEqual(doc.data, {
    base: { realm: 'r', type: 'plain' },
    one: { name: 'one', realm: 'r', type: 'plain' },
    two: { realm: 'r', type: 'plain' },
  })
  t.deepEqual(doc.origins.get(JSON.stringify(['two']))?.value, {
    kind: 'file',
    file: 'c.yaml',
    line: 5,
    col: 6,
  })
  t.deepEqual(doc.origins.get(JSON.stringify(['one', 'realm']))?.value, {
    kind: 'file',
    file: 'c.yaml',
    line: 1,
    col: 21,
  })
})

test('YAML: `__proto__` is an ordinary key, and keys keep their source order', (t) => {
  const { doc } = parseYaml('roles: {"2": [a], __proto__: [b], "1": [c]}', 'c.yaml')
  const roles = doc.data.roles as object
  t.deepEqual(Object.getOwnPropertyNames(roles).sort(), ['1', '2', '__proto__'])
  t.is(Object.getPrototypeOf(roles), Object.prototype)
  t.deepEqual(doc.keyOrder.get(JSON.stringify(['roles'])), ['2', '__proto__', '1'])
})

test('YAML: several documents in one file are an error', (t) => {
  const { diagnostics } = parseYaml('version: 2.0.0\n---\nversion: 1.0.0\n', 'c.yaml')
  t.is(diagnostics[0]?.severity, 'error')
})

test('env values are located at their variable; file values at file:line:col', (t) => {
  const { doc } = loadConfig({
    text: 'jwt:\n  iss: me\n',
    path: 'c.yaml',
    env: { AOT_JWT__SECRET: 's' },
  })
  t.deepEqual(doc.origins.get(JSON.stringify(['jwt', 'secret']))?.value, {
    kind: 'env',
    variable: 'AOT_JWT__SECRET',
  })
  t.deepEqual(doc.origins.get(JSON.stringify(['jwt', 'iss']))?.value, {
    kind: 'file',
    file: 'c.yaml',
    line: 2,
    col: 8,
  })
  t.deepEqual(doc.keyOrder.get(JSON.stringify(['jwt'])), ['iss', 'secret'])
})
