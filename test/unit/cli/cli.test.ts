/**
 * The command line as operators run it: `node dist/cli.mjs …` (build first: `npm run build`;
 * `npm run test:unit` does). Each run gets a clean environment, so no AOT_ variable of the
 * test process leaks into the configuration.
 */
import test from 'ava'
import { spawnSync } from 'node:child_process'
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { COMPILED_FORMAT } from '../../../src/config/compiled'
import { parseStoredPassword } from '../../../src/passwords/parse'
import { verifyPassword } from '../../../src/passwords/verify'
import { VERSION } from '../../../src/version'
import { nodeCrypto } from '../../support/node-platform'

const CLI = fileURLToPath(new URL('../../../dist/cli.mjs', import.meta.url))
const FIXTURES = fileURLToPath(new URL('../../fixtures/config/', import.meta.url))

function run(
  args: string[],
  options: { cwd?: string; env?: { [name: string]: string }; input?: string } = {},
) {
  const result = spawnSync(process.execPath, [CLI, ...args], {
    cwd: options.cwd ?? FIXTURES,
    env: { PATH: process.env.PATH ?? '', ...options.env },
    input: options.input ?? '',
    encoding: 'utf8',
  })
  return { code: result.status, stdout: result.stdout, stderr: result.stderr }
}

const scratch = () => mkdtempSync(join(tmpdir(), 'aot-cli-'))

test.before((t) => {
  if (!existsSync(CLI)) t.fail(`${CLI} is missing. Fix: npm run build`)
})

test('compile writes the JSON with mode 0600 and reports on stderr', (t) => {
  const out = join(scratch(), 'config.json')
  const { code, stdout, stderr } = run(['compile', 'seed.yaml', '-o', out])
  t.is(code, 0, stderr)
  t.is(stdout, '')
  const config = JSON.parse(readFileSync(out, 'utf8'))
  t.is(config.format, COMPILED_FORMAT)
  t.is(config.challenge, 'Basic realm="localrealm", Bearer realm="ecmwf"')
  t.is(statSync(out).mode & 0o777, 0o600)
  const lines = stderr.trimEnd().split('\n')
  t.false(lines.some((line) => line.includes('is not implemented')), 'ecmwf-api is implemented')
  t.true(lines.includes("note: server.port: NGINX's `listen` decides the port"))
  t.is(
    lines[lines.length - 1],
    `authotron: wrote ${out} (config ${config.configId}: 2 providers, 0 augmenters)`,
  )
})

test('compile replaces an existing file atomically and leaves no temporary file', (t) => {
  const dir = scratch()
  const out = join(dir, 'config.json')
  writeFileSync(out, 'old')
  chmodSync(out, 0o600)
  t.is(run(['compile', 'seed-demo.yaml', '-o', out, '--quiet']).code, 0)
  t.is(JSON.parse(readFileSync(out, 'utf8')).providers.length, 1)
  t.deepEqual(readdirSync(dir), ['config.json'])
})

test('compile keeps an existing file\'s mode (an operator\'s 0640 for the workers\' group), never the bits for other users', (t) => {
  const dir = scratch()
  const out = join(dir, 'config.json')
  writeFileSync(out, 'old')
  chmodSync(out, 0o640)
  t.is(run(['compile', 'seed-demo.yaml', '-o', out, '--quiet']).code, 0)
  t.is(statSync(out).mode & 0o777, 0o640)
  t.is(run(['compile', 'seed-demo.yaml', '-o', out, '--quiet']).code, 0)
  t.is(statSync(out).mode & 0o777, 0o640, 'and again')
  chmodSync(out, 0o644)
  const { code, stderr } = run(['compile', 'seed-demo.yaml', '-o', out, '--quiet'])
  t.is(code, 0)
  t.is(statSync(out).mode & 0o777, 0o640)
  t.regex(stderr, /no longer readable by other users \(mode 0640\): it holds the JWT secret/)
  t.deepEqual(readdirSync(dir), ['config.json'])
})

test('--quiet hides notes, not warnings', (t) => {
  const { stderr } = run(['compile', 'seed.yaml', '-o', '-', '-q'])
  t.false(stderr.includes('note:'))
  t.true(stderr.includes('warning:'))
})

test('compile -o - writes the JSON to stdout', (t) => {
  const { code, stdout } = run(['compile', 'seed-demo.yaml', '-o', '-'])
  t.is(code, 0)
  t.is(JSON.parse(stdout).compilerVersion, VERSION)
})

test('an invalid config: every error, exit 1, nothing written', (t) => {
  const dir = scratch()
  writeFileSync(join(dir, 'config.yaml'), 'version: 2.0.0\nlogging: {level: loud, format: json}\n')
  const out = join(dir, 'out.json')
  const { code, stderr } = run(['compile', '-o', out], { cwd: dir })
  t.is(code, 1)
  t.false(existsSync(out))
  t.is(
    stderr,
    [
      'error: store (config.yaml:1:1): required key missing',
      'error: services (config.yaml:1:1): required key missing',
      'error: providers (config.yaml:1:1): required key missing',
      'error: server (config.yaml:1:1): required key missing',
      'error: jwt (config.yaml:1:1): required key missing',
      'error: logging.level (config.yaml:2:18): expected one of trace, debug, info, warn, error',
      "note: logging.format: messages go to NGINX's error_log, in NGINX's format",
      'authotron: config.yaml: 6 errors; nothing written',
      '',
    ].join('\n'),
  )
})

test('compile finds the config through AOT_CONFIG_PATH, and takes overrides from AOT_ variables', (t) => {
  const { code, stdout } = run(['compile', '-o', '-'], {
    env: {
      AOT_CONFIG_PATH: 'seed-demo.yaml',
      AOT_JWT__SECRET: '123456',
      aot_logging__level: 'WARN',
    },
  })
  t.is(code, 0)
  const config = JSON.parse(stdout)
  t.is(config.jwt.secret, '123456')
  t.is(config.logLevel, 'warn')
})

test('compile to an unwritable place: exit 1 with the reason', (t) => {
  const { code, stderr } = run([
    'compile',
    'seed-demo.yaml',
    '-o',
    join(scratch(), 'missing', 'out.json'),
  ])
  t.is(code, 1)
  t.regex(stderr, /error: cannot write .*out\.json: no such file or directory\n$/)
})

test('check: exit 0 with the verdict on stdout, exit 1 when invalid', (t) => {
  const valid = run(['check', 'seed-demo.yaml', '-q'])
  t.is(valid.code, 0)
  t.regex(
    valid.stdout,
    /^seed-demo\.yaml: valid \(config [0-9a-f]{16}: 1 provider, 0 augmenters\)\n$/,
  )
  const invalid = run(['check', 'v1.yaml'], { env: { AOT_BIND_ADDRESS: 'nowhere' } })
  t.is(invalid.code, 1)
  t.is(invalid.stdout, 'v1.yaml: invalid (1 error)\n')
  t.true(
    invalid.stderr.startsWith(
      'error: bind_address (env AOT_BIND_ADDRESS): bind_address must be in host:port format, got: nowhere\n',
    ),
  )
})

test('schema prints the JSON Schema', (t) => {
  const { code, stdout } = run(['schema'])
  t.is(code, 0)
  const schema = JSON.parse(stdout)
  t.is(schema.$schema, 'https://json-schema.org/draft/2020-12/schema')
  t.truthy(schema.$defs.PlainUserEntry.properties.password_hash)
})

test('hash-password from standard input prints a hash that verifies', async (t) => {
  const { code, stdout, stderr } = run(['hash-password', '--iterations', '1000'], {
    input: 'p@ss wörd\n',
  })
  t.is(code, 0, stderr)
  const hash = stdout.trimEnd()
  t.regex(hash, /^\$pbkdf2-sha256\$i=1000\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/)
  const verifier = parseStoredPassword(hash)
  t.true(await verifyPassword(verifier, new Uint8Array(Buffer.from('p@ss wörd')), nodeCrypto))
  t.false(await verifyPassword(verifier, new Uint8Array(Buffer.from('p@ss word')), nodeCrypto))
})

test('hash-password refuses an empty password and several lines', (t) => {
  t.deepEqual(run(['hash-password'], { input: '\n' }), {
    code: 1,
    stdout: '',
    stderr: 'error: the password is empty\n',
  })
  t.is(run(['hash-password'], { input: 'a\nb\n' }).code, 1)
})

test('usage errors exit 2 with a hint', (t) => {
  const cases: [string[], string][] = [
    [[], 'Usage: authotron <command> [options]'],
    [['frobnicate'], "authotron: unknown command 'frobnicate'\nTry 'authotron --help'.\n"],
    [
      ['compile', 'seed.yaml'],
      "authotron compile: missing -o OUT.json (use -o - for standard output)\nTry 'authotron compile --help'.\n",
    ],
    [
      ['compile', 'a.yaml', 'b.yaml', '-o', 'x'],
      "authotron compile: unexpected argument 'b.yaml'\nTry 'authotron compile --help'.\n",
    ],
    [
      ['check', '--frob'],
      "authotron check: Unknown option '--frob'\nTry 'authotron check --help'.\n",
    ],
    [
      ['schema', 'extra'],
      "authotron schema: unexpected argument 'extra'\nTry 'authotron schema --help'.\n",
    ],
    [
      ['hash-password', '--iterations', 'many'],
      "authotron hash-password: --iterations expects a positive whole number, got 'many'\nTry 'authotron hash-password --help'.\n",
    ],
  ]
  for (const [args, stderr] of cases) {
    const result = run(args)
    t.is(result.code, 2, args.join(' '))
    if (args.length === 0) t.true(result.stderr.startsWith(stderr))
    else t.is(result.stderr, stderr)
  }
})

test('--help on every command and at the top; --version', (t) => {
  for (const args of [
    ['--help'],
    ['help'],
    ['compile', '--help'],
    ['check', '-h'],
    ['schema', '--help'],
    ['hash-password', '--help'],
    ['help', 'compile'],
  ]) {
    const { code, stdout } = run(args)
    t.is(code, 0, args.join(' '))
    t.regex(stdout, /^Usage: authotron /, args.join(' '))
  }
  t.is(run(['--version']).stdout, `${VERSION}\n`)
})
