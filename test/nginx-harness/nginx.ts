/**
 * Starts a real nginx for one runtime leg from a temporary prefix under `<repo>/.tmp/`, with the
 * ports filled in at run time, and stops it again. See test/nginx-harness/README.md for the API.
 *
 * The harness owns the lines that make a test server a test server:
 *   main context   daemon off; master_process on; worker_processes 1; pid, error_log (info) and
 *                  load_module for the leg
 *   http context   every temp path and the access log inside the prefix, the leg's own lines
 *                  (`js_engine qjs;`), and — when a config is given — the operator's lines that
 *                  load the module and the config (js_import, js_preload_object, js_var)
 * and the test supplies the rest: server blocks (default), or a complete nginx.conf (`complete`).
 */
import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { compileConfig, writeCompiledConfig } from './compile'
import { startNginxContainer } from './docker'
import type { HttpbinServer } from './httpbin'
import { freePorts, isListening, releasePorts } from './net'
import { AUTHOTRON_MODULE, AUTHOTRON_QJS_MODULE, DIST_DIR, FIXTURES_DIR, REPO_ROOT, makeTempDir } from './paths'
import { delay, startProcess, type ManagedProcess } from './processes'
import { assertLegAvailable, type JsEngine, type RuntimeLeg } from './runtimes'

export interface NginxPaths {
  repo: string
  /** `<repo>/dist` */
  dist: string
  /** `<repo>/dist/authotron.js`, for `js_import authotron from …;` */
  module: string
  /** `<repo>/test/nginx-harness/fixtures` */
  fixtures: string
  /** This server's own folder; everything nginx writes goes here. */
  prefix: string
  /** The nginx.conf the harness wrote. */
  conf: string
  errorLog: string
  accessLog: string
  /** The compiled config (`js_preload_object authotron_cfg from …;`), when one was given. */
  config?: string
}

/** What a `conf` function gets to write its text with. */
export interface ConfContext {
  leg: RuntimeLeg
  /** The port to listen on: `listen 127.0.0.1:${port};`. The harness waits until it answers. */
  port: number
  /** `main` (= port) plus one free port per name in `portNames`. */
  ports: { [name: string]: number }
  paths: NginxPaths
  /** The httpbin backend, when the suite started one (withNginxOnEveryLeg `httpbin: true`). */
  httpbin?: HttpbinServer
}

export type ConfSource = string | ((context: ConfContext) => string)

export interface StartNginxOptions {
  leg: RuntimeLeg
  /**
   * The server's configuration: text for inside `http {}` (server blocks, upstreams, maps), or,
   * with `complete: true`, a complete nginx.conf with its own `events {}`, `http {}`,
   * `worker_processes` and `load_module` (see instantiateExampleConf).
   */
  conf: ConfSource
  complete?: boolean
  /** YAML compiled with `node dist/cli.mjs compile` into `<prefix>/config.json`. */
  config?: string
  /** An already compiled config file (a suite compiles its YAML once for every leg). */
  configFile?: string
  /** A compiled config object written as-is, bypassing the compiler (format-check tests). */
  compiledConfig?: unknown
  /** Names of extra ports to allocate, e.g. `['metrics']` → `ports.metrics`. */
  portNames?: string[]
  /** A fixed main port instead of a free one (the demo's 8080). */
  port?: number
  /** Goes into the prefix folder's name. */
  label?: string
  /** `worker_processes` (default 1); the metrics tests run 2 to show the sums over workers. */
  workers?: number
  httpbin?: HttpbinServer
  /** How long to wait for the first answer (default 15 s; the docker leg adds image pulls). */
  startTimeoutMs?: number
  /**
   * The njs module to import instead of the leg's own (bench/ab.ts compares two bundles): by
   * default dist/authotron.js, dist/authotron-qjs.js on QuickJS legs (authotronModuleFor).
   */
  module?: string
  /**
   * The error log's level (default `info`, so that tests see njs's `r.log` lines). The demo runs
   * at `notice`, as nginx/nginx.conf does: nginx's own info lines can carry a client's credential.
   */
  errorLogLevel?: 'debug' | 'info' | 'notice' | 'warn' | 'error'
  /**
   * The `js_preload_object` name of the config (default PRELOAD_NAME); the deprecated name's
   * test sets `authotron_config`.
   */
  preloadName?: string
}

/** The name the README gives the preloaded config: 14 characters at most (njs 0.7.9 leaks above). */
export const PRELOAD_NAME = 'authotron_cfg'

export interface NginxServer {
  leg: RuntimeLeg
  port: number
  ports: { [name: string]: number }
  paths: NginxPaths
  /** `http://127.0.0.1:<port><path>` */
  url(path?: string): string
  /** The whole error log so far. */
  errorLog(): string
  /** The error log's current size, to read what a test added with errorLogSince(). */
  errorLogSize(): number
  errorLogSince(offset: number): string
  /**
   * Rewrites what `changes` names (conf text, config), sends SIGHUP, and resolves once the new
   * workers run and the old ones are gone. Rejects with the log when nginx refused the new config.
   */
  reload(changes?: { conf?: ConfSource; config?: string; compiledConfig?: unknown }): Promise<void>
  /** Fast shutdown (SIGTERM) and removal of the prefix (kept when AOT_KEEP_TMP=1). */
  stop(): Promise<void>
}

/** How a started nginx is driven: a local process or a container (docker.ts). */
export interface NginxRunner {
  /** Undefined while running; how it ended otherwise. */
  exitStatus(): string | undefined
  /** What the binary wrote to stdout/stderr (errors before the error log is open land here). */
  output(): string
  sendReload(): Promise<void>
  stop(): Promise<void>
}

const DEFAULT_START_TIMEOUT_MS = 15_000
/** The docker leg may pull the image first. */
const DOCKER_START_TIMEOUT_MS = 180_000
const RELOAD_TIMEOUT_MS = 15_000
const RELOAD_SETTLE_MS = 100
const PORT_ATTEMPTS = 3

/** The bundle an operator of `leg`'s engine imports: dist/authotron-qjs.js on QuickJS, else dist/authotron.js. */
export function authotronModuleFor(leg: RuntimeLeg): string {
  return leg.expected.engine === 'QuickJS' ? AUTHOTRON_QJS_MODULE : AUTHOTRON_MODULE
}

export async function startNginx(options: StartNginxOptions): Promise<NginxServer> {
  const { leg } = options
  assertLegAvailable(leg)
  const prefix = makeTempDir(`${options.label ?? 'nginx'}-${leg.name}`)
  const paths: NginxPaths = {
    repo: REPO_ROOT,
    dist: DIST_DIR,
    module: options.module ?? authotronModuleFor(leg),
    fixtures: FIXTURES_DIR,
    prefix,
    conf: join(prefix, 'nginx.conf'),
    errorLog: join(prefix, 'error.log'),
    accessLog: join(prefix, 'access.log'),
  }
  paths.config = await prepareConfig(options, prefix)

  let conf = options.conf
  for (let attempt = 1; ; attempt++) {
    const { ports, reserved } = await allocatePorts(options)
    const context: ConfContext = { leg, port: ports.main, ports, paths, httpbin: options.httpbin }
    writeFileSync(paths.conf, renderConf(options, context, conf))
    const runner = startRunner(leg, paths)
    try {
      const timeoutMs =
        options.startTimeoutMs ?? (leg.kind === 'docker' ? DOCKER_START_TIMEOUT_MS : DEFAULT_START_TIMEOUT_MS)
      await waitUntilAnswering(leg, runner, paths, ports.main, timeoutMs)
    } catch (error) {
      await runner.stop()
      releasePorts(reserved)
      const log = readIfExists(paths.errorLog) + runner.output()
      const portTaken = PORT_TAKEN.test(log) && options.port === undefined
      if (portTaken && attempt < PORT_ATTEMPTS) {
        rmSync(paths.errorLog, { force: true })
        continue
      }
      throw error
    }
    return makeServer(options, context, runner, reserved, () => conf, (next) => (conf = next))
  }
}

function makeServer(
  options: StartNginxOptions,
  context: ConfContext,
  runner: NginxRunner,
  reservedPorts: number[],
  currentConf: () => ConfSource,
  setConf: (next: ConfSource) => void,
): NginxServer {
  const { leg, paths, ports } = context
  let stopped = false
  return {
    leg,
    port: ports.main,
    ports,
    paths,
    url: (path = '/') => `http://127.0.0.1:${ports.main}${path}`,
    errorLog: () => readIfExists(paths.errorLog),
    errorLogSize: () => (existsSync(paths.errorLog) ? statSync(paths.errorLog).size : 0),
    // errorLogSize() is in bytes: slice the bytes, not the decoded text (a log holding non-ASCII
    // bytes, as hostile input leaves, would otherwise lose lines at the start of the window).
    errorLogSince: (offset) => (existsSync(paths.errorLog) ? readFileSync(paths.errorLog).subarray(offset).toString('utf8') : ''),
    async reload(changes = {}) {
      if (changes.conf !== undefined) setConf(changes.conf)
      const nextOptions = { ...options, ...changes }
      if (changes.config !== undefined || changes.compiledConfig !== undefined) {
        paths.config = await prepareConfig(
          { ...nextOptions, configFile: undefined },
          paths.prefix,
        )
      }
      writeFileSync(paths.conf, renderConf(nextOptions, context, currentConf()))
      await reloadAndWait(leg, runner, paths)
    },
    async stop() {
      if (stopped) return
      stopped = true
      await runner.stop()
      releasePorts(reservedPorts)
      if (process.env.AOT_KEEP_TMP !== '1') rmSync(paths.prefix, { recursive: true, force: true })
    },
  }
}

async function prepareConfig(options: StartNginxOptions, prefix: string): Promise<string | undefined> {
  const access = { workerGroupId: options.leg.workerGroupId }
  if (options.compiledConfig !== undefined) return writeCompiledConfig(options.compiledConfig, prefix, access)
  if (options.config !== undefined) return compileConfig(options.config, prefix, access)
  return options.configFile
}

async function allocatePorts(
  options: StartNginxOptions,
): Promise<{ ports: { [name: string]: number }; reserved: number[] }> {
  const names = options.portNames ?? []
  const reserved = await freePorts(names.length + (options.port === undefined ? 1 : 0))
  const free = [...reserved]
  const ports: { [name: string]: number } = { main: options.port ?? free.pop()! }
  names.forEach((name, i) => (ports[name] = free[i]))
  return { ports, reserved }
}

/** The nginx.conf the harness writes for `context` (exported for the harness's own tests). */
export function renderConf(options: StartNginxOptions, context: ConfContext, conf: ConfSource): string {
  const { leg, paths } = context
  const text = typeof conf === 'function' ? conf(context) : conf
  const main = [
    `# Written by test/nginx-harness/nginx.ts for runtime leg ${leg.name}.`,
    'daemon off;',
    'master_process on;',
    `pid ${paths.prefix}/nginx.pid;`,
    `error_log ${paths.errorLog} ${options.errorLogLevel ?? 'info'};`,
  ]
  const http = [
    `client_body_temp_path ${paths.prefix}/client_body_temp;`,
    `proxy_temp_path ${paths.prefix}/proxy_temp;`,
    `fastcgi_temp_path ${paths.prefix}/fastcgi_temp;`,
    `uwsgi_temp_path ${paths.prefix}/uwsgi_temp;`,
    `scgi_temp_path ${paths.prefix}/scgi_temp;`,
    `access_log ${paths.accessLog};`,
    ...leg.httpLines,
  ]
  if (options.complete) {
    const httpOpening = /^\s*http\s*\{/m
    if (!httpOpening.test(text)) throw new Error('startNginx: a complete conf needs an http { block')
    const lines = http.map((line) => `    ${line}  # added by the test harness`).join('\n')
    return `${main.join('\n')}\n\n${text.replace(httpOpening, (opening) => `${opening}\n${lines}`)}`
  }
  if (paths.config !== undefined) {
    http.push(
      `js_import authotron from ${paths.module};`,
      `js_preload_object ${options.preloadName ?? PRELOAD_NAME} from ${paths.config};`,
      `js_var $authotron_config_file ${paths.config};`,
    )
  }
  return [
    ...main,
    `worker_processes ${options.workers ?? 1};`,
    leg.loadModuleLine,
    '',
    'events {',
    '    worker_connections 1024;',
    '}',
    '',
    'http {',
    ...http.map((line) => `    ${line}`),
    '',
    indent(text.trim(), '    '),
    '}',
    '',
  ].join('\n')
}

function indent(text: string, by: string): string {
  return text
    .split('\n')
    .map((line) => (line === '' ? line : by + line))
    .join('\n')
}

function startRunner(leg: RuntimeLeg, paths: NginxPaths): NginxRunner {
  const args = ['-p', `${paths.prefix}/`, '-c', paths.conf, '-e', paths.errorLog]
  if (leg.kind === 'docker') return startNginxContainer(leg, args)
  const { file, args: argv } = leg.nginxCommand(args)
  return localRunner(startProcess(`nginx ${leg.name}`, file, argv, { cwd: paths.prefix }))
}

function localRunner(master: ManagedProcess): NginxRunner {
  return {
    exitStatus: () => (master.hasExited() ? `exited (${master.exitStatus()})` : undefined),
    output: () => master.output(),
    sendReload: async () => {
      master.child.kill('SIGHUP')
    },
    stop: () => master.stop('SIGTERM'),
  }
}

/**
 * Ready means: this master got past binding its sockets and forked its workers (its own error log
 * says "start worker process"; a port answering could be another server's), and the port answers.
 * A port another process took fails at once, so startNginx can retry on fresh ports.
 */
async function waitUntilAnswering(
  leg: RuntimeLeg,
  runner: NginxRunner,
  paths: NginxPaths,
  port: number,
  timeoutMs: number,
): Promise<void> {
  const failure = (what: string) =>
    new Error(
      `nginx (leg ${leg.name}) ${what}.\n` +
        `conf: ${paths.conf}\n` +
        `--- nginx output ---\n${runner.output().trim()}\n` +
        `--- ${paths.errorLog} ---\n${tail(readIfExists(paths.errorLog), 40)}`,
    )
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const status = runner.exitStatus()
    if (status !== undefined) throw failure(`${status} while starting`)
    const log = readIfExists(paths.errorLog)
    if (PORT_TAKEN.test(log)) throw failure('found a port taken')
    if (log.includes('start worker process') && (await isListening(port))) return
    if (Date.now() > deadline) throw failure(`did not answer on 127.0.0.1:${port} within ${timeoutMs} ms`)
    await delay(20)
  }
}

const PORT_TAKEN = /bind\(\) to \S+ failed \(98: Address already in use\)/

/**
 * SIGHUP, then wait until the master has started new workers and reaped every old one. Both facts
 * come from the master's own lines in the error log ("start worker process N", "worker process N
 * exited"), which the docker leg has too.
 */
async function reloadAndWait(leg: RuntimeLeg, runner: NginxRunner, paths: NginxPaths): Promise<void> {
  const logBefore = readIfExists(paths.errorLog)
  const oldWorkers = runningWorkers(logBefore)
  await runner.sendReload()
  const deadline = Date.now() + RELOAD_TIMEOUT_MS
  for (;;) {
    const logged = readIfExists(paths.errorLog).slice(logBefore.length)
    const refusal = /^.*\[(emerg|alert)\].*$/m.exec(logged)
    if (refusal) throw new Error(`nginx (leg ${leg.name}) refused the reload: ${refusal[0]}`)
    const started = pidsIn(logged, STARTED_WORKER)
    const exited = pidsIn(logged, EXITED_WORKER)
    if (started.length > 0 && oldWorkers.every((pid) => exited.includes(pid))) {
      // The old workers closed their idle keep-alive connections on the way out; give clients
      // (fetch's connection pool) a moment to see that before they reuse one.
      await delay(RELOAD_SETTLE_MS)
      return
    }
    const status = runner.exitStatus()
    if (status !== undefined) throw new Error(`nginx (leg ${leg.name}) ${status} during a reload`)
    if (Date.now() > deadline) {
      throw new Error(
        `nginx (leg ${leg.name}): reload not finished after ${RELOAD_TIMEOUT_MS} ms ` +
          `(old workers ${oldWorkers.join(',')}; since the reload started ${started.join(',')}, ` +
          `exited ${exited.join(',')})`,
      )
    }
    await delay(20)
  }
}

const STARTED_WORKER = /start worker process (\d+)/g
const EXITED_WORKER = /worker process (\d+) exited/g

function pidsIn(log: string, pattern: RegExp): number[] {
  return [...log.matchAll(pattern)].map((match) => Number(match[1]))
}

/** The workers the log says were started and have not exited. */
function runningWorkers(log: string): number[] {
  const exited = pidsIn(log, EXITED_WORKER)
  return pidsIn(log, STARTED_WORKER).filter((pid) => !exited.includes(pid))
}

function readIfExists(path: string): string {
  return existsSync(path) ? readFileSync(path, 'utf8') : ''
}

function tail(text: string, lines: number): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n')
}

// ---------------------------------------------------------------------------------------------
// What a leg really runs

export interface LegVersions {
  nginx: string
  njs: string
  engine: JsEngine
}

/** `leg sid-qjs: nginx 1.30.6, njs 1.0.2 (QuickJS)` */
export function describeVersions(leg: RuntimeLeg, versions: LegVersions): string {
  const engine = versions.engine === 'njs' ? 'njs engine' : versions.engine
  return `leg ${leg.name}: nginx ${versions.nginx}, njs ${versions.njs} (${engine})`
}

/**
 * Starts the leg once with the harness's own njs handler (test/nginx-harness/fixtures/harness.js) and
 * asks it for `$nginx_version`, `njs.version` and `njs.engine`.
 */
export async function probeVersions(leg: RuntimeLeg): Promise<LegVersions> {
  const server = await startNginx({
    leg,
    label: 'versions',
    conf: ({ port, paths }) => `
      js_import harness from ${paths.fixtures}/harness.js;
      server {
          listen 127.0.0.1:${port};
          location = /versions { js_content harness.versions; }
      }`,
  })
  try {
    const response = await fetch(server.url('/versions'))
    if (response.status !== 200) {
      throw new Error(`leg ${leg.name}: /versions answered ${response.status}\n${server.errorLog()}`)
    }
    return (await response.json()) as LegVersions
  } finally {
    await server.stop()
  }
}
