/**
 * The test harness itself, on every selected leg: nginx starts from a temp prefix, reports the
 * versions its leg promises, reloads, shows its error log, and a missing leg fails loudly. Uses
 * the harness's own njs handlers (test/nginx-harness/fixtures/), not the product.
 */
import test from 'ava'
import { spawn } from 'node:child_process'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { dockerEngineProblem } from '../nginx-harness/docker'
import { EXAMPLE_INSTALL_STRINGS, instantiateExampleConf } from '../nginx-harness/example-conf'
import { versionMismatch } from '../support/leg-report'
import { authotronModuleFor, renderConf, startNginx, type ConfContext, type NginxPaths } from '../nginx-harness/nginx'
import { REPO_ROOT } from '../nginx-harness/paths'
import { legByName, selectedLegs, LOCAL_LEG_NAMES } from '../nginx-harness/runtimes'
import { withNginxOnEveryLeg } from '../support/suite'

const suite = withNginxOnEveryLeg(test, {
  label: 'harness',
  conf: ({ port, paths }) => `
    js_import harness from ${paths.fixtures}/harness.js;
    server {
        listen 127.0.0.1:${port};
        location = /versions { js_content harness.versions; }
        location = /log { js_content harness.logMarker; }
        location = /static { return 200 "static answer"; }
    }`,
})

suite.test('nginx answers on the port the harness chose', async (t, nginx) => {
  const response = await fetch(nginx.url('/static'))
  t.is(response.status, 200)
  t.is(await response.text(), 'static answer')
  t.true(nginx.paths.prefix.startsWith(join(REPO_ROOT, '.tmp')))
})

suite.test('reports the versions its leg promises', async (t, nginx) => {
  const found = (await (await fetch(nginx.url('/versions'))).json()) as {
    nginx: string
    njs: string
    engine: string
  }
  t.log(`nginx ${found.nginx}, njs ${found.njs} (${found.engine})`)
  t.is(versionMismatch(nginx.leg, found), undefined)
})

suite.test('the error log shows what njs logged', async (t, nginx) => {
  const marker = `marker-${nginx.leg.name}-${Date.now()}`
  const response = await fetch(nginx.url(`/log?marker=${marker}`))
  t.is(response.status, 204)
  t.regex(nginx.errorLog(), new RegExp(`\\[info\\].*js: harness ${marker}`))
})

suite.test('every temp path and log lies inside the prefix', (t, nginx) => {
  const conf = readFileSync(nginx.paths.conf, 'utf8')
  for (const directive of [
    'client_body_temp_path',
    'proxy_temp_path',
    'fastcgi_temp_path',
    'uwsgi_temp_path',
    'scgi_temp_path',
    'access_log',
    'error_log',
    'pid',
  ]) {
    t.regex(conf, new RegExp(`^\\s*${directive} ${escape(nginx.paths.prefix)}/`, 'm'), directive)
  }
  t.true(existsSync(join(nginx.paths.prefix, 'nginx.pid')))
})

for (const leg of selectedLegs()) {
  test(`[${leg.name}] reload: new workers serve the new conf; a bad conf is refused`, async (t) => {
    const generation = (n: number) => `server { listen 127.0.0.1:{port}; location / { return 200 "generation ${n}"; } }`
    const conf = (n: number) => (context: ConfContext) => generation(n).replace('{port}', String(context.port))
    const nginx = await startNginx({ leg, label: 'reload', conf: conf(1) })
    try {
      t.is(await textOf(nginx.url('/')), 'generation 1')
      await nginx.reload({ conf: conf(2) })
      t.is(await textOf(nginx.url('/')), 'generation 2')
      await t.throwsAsync(nginx.reload({ conf: 'server { no_such_directive; }' }), {
        message: /refused the reload: .*\[emerg\].*no_such_directive/,
      })
      t.is(await textOf(nginx.url('/')), 'generation 2', 'the old workers go on serving')
    } catch (error) {
      t.log(nginx.errorLog())
      throw error
    } finally {
      await nginx.stop()
    }
    t.false(existsSync(nginx.paths.prefix), 'stop() removes the prefix')
  })
}

test('a leg whose binaries are missing fails loudly, with the command that fixes it', async (t) => {
  for (const name of ['trixie', 'sid', 'sid-qjs'] as const) {
    const leg = legByName(name, { runtimesDir: '/nonexistent/runtimes' })
    const folder = name === 'trixie' ? 'trixie' : 'sid'
    await t.throwsAsync(startNginx({ leg, conf: '' }), {
      code: 'ERR_LEG_MISSING',
      message: new RegExp(`^leg ${name}: .* not found\\. Fix: bash test/runtimes/fetch\\.sh ${folder}$`),
    })
  }
})

test('a port held by another server is noticed, not mistaken for nginx answering', async (t) => {
  const squatter = createServer((_request, response) => response.end('not nginx'))
  await new Promise<void>((resolve) => squatter.listen(0, '127.0.0.1', resolve))
  const port = (squatter.address() as AddressInfo).port
  try {
    // Usually noticed in the log at nginx's first bind(); on a starved machine nginx may give up
    // binding first. Either way startNginx rejects instead of resolving with the squatter.
    const error = await t.throwsAsync(
      startNginx({
        leg: selectedLegs()[0],
        port,
        conf: ({ port: p }) => `server { listen 127.0.0.1:${p}; }`,
      }),
      { message: /found a port taken|exited/ },
    )
    t.regex(error?.message ?? '', /Address already in use/)
  } finally {
    squatter.close()
  }
})

test('AOT_LEGS selects legs; an unknown name is an error, not a skip', (t) => {
  t.deepEqual(
    selectedLegs({}).map((leg) => leg.name),
    [...LOCAL_LEG_NAMES],
  )
  t.deepEqual(
    selectedLegs({ AOT_LEGS: 'sid-qjs, bookworm' }).map((leg) => leg.name),
    ['sid-qjs', 'bookworm'],
  )
  t.throws(() => selectedLegs({ AOT_LEGS: 'bookworm,jessie' }), { message: /unknown runtime leg 'jessie'/ })
})

test('each leg knows its module, its http lines and its features', (t) => {
  const [bookworm, trixie, sid, qjs] = LOCAL_LEG_NAMES.map((name) => legByName(name))
  t.is(bookworm.loadModuleLine, 'load_module /usr/lib/nginx/modules/ngx_http_js_module.so;')
  t.deepEqual(qjs.httpLines, ['js_engine qjs;'])
  t.deepEqual(sid.httpLines, [])
  t.deepEqual(
    [bookworm, trixie, sid, qjs].map((leg) => [leg.features.sharedDict, leg.features.jsAccess]),
    [
      [false, false],
      [true, false],
      [true, true],
      [true, true],
    ],
  )
})

test('a complete conf gets the harness lines in main and in http {}', (t) => {
  const leg = legByName('sid-qjs')
  const paths = fakePaths('/tmp/prefix')
  const text = renderConf(
    { leg, conf: '', complete: true },
    { leg, port: 8, ports: { main: 8 }, paths },
    'load_module x.so;\nevents {}\nhttp {\n    server { listen 8; }\n}\n',
  )
  t.regex(text, /^daemon off;$/m)
  t.regex(text, /^pid \/tmp\/prefix\/nginx\.pid;$/m)
  t.regex(text, /^http \{\n {4}client_body_temp_path \/tmp\/prefix\/client_body_temp;/m)
  t.regex(text, /^ {4}js_engine qjs;/m)
  t.notRegex(text, /worker_processes/, 'a complete file sets its own worker_processes')
})

test('instantiateExampleConf replaces every install-specific string of nginx/nginx.conf', (t) => {
  const leg = legByName('trixie')
  const text = instantiateExampleConf({
    leg,
    configPath: '/tmp/x/config.json',
    listen: '127.0.0.1:5555',
    backend: '127.0.0.1:6666',
  })
  for (const original of Object.values(EXAMPLE_INSTALL_STRINGS)) {
    t.false(text.includes(original), original)
  }
  t.true(text.includes(leg.loadModuleLine))
  t.true(text.includes(`js_import authotron from ${REPO_ROOT}/dist/authotron.js;`))
  t.true(text.includes(`include ${REPO_ROOT}/nginx/authotron-endpoints.conf;`))
  t.true(text.includes('js_preload_object authotron_cfg from /tmp/x/config.json;'))
  t.true(text.includes('listen 127.0.0.1:5555;'))
  t.true(text.includes('server 127.0.0.1:6666;'))
})

test('QuickJS legs import dist/authotron-qjs.js, the njs engine legs dist/authotron.js', (t) => {
  for (const name of LOCAL_LEG_NAMES) {
    const leg = legByName(name)
    const module = leg.expected.engine === 'QuickJS' ? 'authotron-qjs.js' : 'authotron.js'
    t.is(authotronModuleFor(leg), `${REPO_ROOT}/dist/${module}`, name)
  }
})

test('AOT_LEGS=docker without a Docker engine: the runner says it skipped, and exits 0', async (t) => {
  const problem = await dockerEngineProblem()
  if (problem === undefined) {
    t.log('a Docker engine answers here, so the docker leg would really run: nothing to check')
    t.pass()
    return
  }
  const { code, output } = await runNode(['test/run.mjs', '--integration'], { AOT_LEGS: 'docker' })
  t.is(code, 0)
  t.regex(
    output,
    /^docker leg: SKIPPED — no Docker engine reachable \(.+\); CI runs the local legs bookworm, trixie, sid, sid-qjs$/m,
  )
  t.notRegex(output, /=== build/, 'nothing else ran')
})

/** fetch → text, with the network error's cause in the message. */
async function textOf(url: string): Promise<string> {
  try {
    return await (await fetch(url)).text()
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause
    throw new Error(`GET ${url}: ${(error as Error).message} (${cause?.code} ${cause?.message})`)
  }
}

function runNode(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, {
      cwd: REPO_ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let output = ''
    child.stdout.on('data', (chunk) => (output += chunk))
    child.stderr.on('data', (chunk) => (output += chunk))
    child.on('close', (code) => resolve({ code, output }))
  })
}

function fakePaths(prefix: string): NginxPaths {
  return {
    repo: REPO_ROOT,
    dist: `${REPO_ROOT}/dist`,
    module: `${REPO_ROOT}/dist/authotron.js`,
    fixtures: `${REPO_ROOT}/test/nginx-harness/fixtures`,
    prefix,
    conf: `${prefix}/nginx.conf`,
    errorLog: `${prefix}/error.log`,
    accessLog: `${prefix}/access.log`,
  }
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}
