/**
 * One nginx per selected runtime leg for an ava test file:
 *
 *   const suite = withNginxOnEveryLeg(test, { config: yaml, conf: ({ port }) => `server { … }` })
 *   suite.test('GET /health answers OK', async (t, nginx) => { … fetch(nginx.url('/health')) … })
 *
 * registers `[bookworm] GET /health answers OK`, `[trixie] …` and so on. The servers start in
 * parallel in `test.before` (the YAML is compiled once), stop in `test.after.always`, and a failing
 * test gets the error-log lines its leg wrote while it ran. See test/support/README.md.
 */
import type { ExecutionContext, TestFn } from 'ava'
import { rmSync } from 'node:fs'
import { compileConfig } from '../nginx-harness/compile'
import { startHttpbin, type HttpbinServer } from '../nginx-harness/httpbin'
import { startNginx, type NginxServer, type StartNginxOptions } from '../nginx-harness/nginx'
import { makeTempDir } from '../nginx-harness/paths'
import { assertLegAvailable, selectedLegs, type LegName, type RuntimeLeg } from '../nginx-harness/runtimes'

export interface LegSuiteOptions
  extends Omit<StartNginxOptions, 'leg' | 'httpbin' | 'configFile' | 'port'> {
  /** The legs to run on; default the legs AOT_LEGS selects. Filter on `leg.features` here. */
  legs?: RuntimeLeg[]
  /** Start one httpbin for the suite; `conf` gets it as `httpbin` (e.g. for exampleConf). */
  httpbin?: boolean
}

export type LegTestImplementation<Context> = (
  t: ExecutionContext<Context>,
  nginx: NginxServer,
) => unknown

export interface LegSuite<Context = unknown> {
  /** The legs of this suite (known when the file loads, to register tests with). */
  legs: RuntimeLeg[]
  /** The running nginx of `leg` (inside tests and hooks). */
  server(leg: RuntimeLeg | LegName): NginxServer
  /** The suite's httpbin (with `httpbin: true`). */
  httpbin(): HttpbinServer
  /** Registers `[<leg>] <title>` for each leg of the suite. */
  test(title: string, implementation: LegTestImplementation<Context>): void
  /** The same, run serially (for tests that reload nginx or read the whole log). */
  serial(title: string, implementation: LegTestImplementation<Context>): void
}

export function withNginxOnEveryLeg<Context = unknown>(
  test: TestFn<Context>,
  options: LegSuiteOptions,
): LegSuite<Context> {
  const { legs = selectedLegs(), httpbin: wantHttpbin, ...startOptions } = options
  const servers = new Map<LegName, NginxServer>()
  /** Test title → the leg it runs on, for the hooks. */
  const titles = new Map<string, RuntimeLeg>()
  /** Test title → error-log sizes when it started. */
  const logOffsets = new Map<string, number>()
  let backend: HttpbinServer | undefined
  const configDirs: string[] = []

  test.before(async () => {
    // Missing binaries fail every test of the file, with the fix, before anything starts.
    legs.forEach(assertLegAvailable)
    if (wantHttpbin) backend = await startHttpbin()
    const { config, ...rest } = startOptions
    // Compiled once for all legs (once per worker group, which differs only for the docker leg).
    const configFiles = new Map<number, Promise<string>>()
    const configFileFor = (leg: RuntimeLeg) => {
      if (config === undefined) return undefined
      const gid = leg.workerGroupId
      if (!configFiles.has(gid)) {
        const dir = makeTempDir('config')
        configDirs.push(dir)
        configFiles.set(gid, compileConfig(config, dir, { workerGroupId: gid }))
      }
      return configFiles.get(gid)
    }
    const started = await Promise.allSettled(
      legs.map(async (leg) =>
        startNginx({ ...rest, leg, configFile: await configFileFor(leg), httpbin: backend }),
      ),
    )
    started.forEach((result, i) => {
      if (result.status === 'fulfilled') servers.set(legs[i].name, result.value)
    })
    const failures = started.flatMap((result) => (result.status === 'rejected' ? [result.reason] : []))
    if (failures.length > 0) {
      throw new Error(failures.map((error: Error) => error.message).join('\n\n'))
    }
  })

  test.after.always(async () => {
    await Promise.all([...servers.values()].map((server) => server.stop()))
    await backend?.stop()
    if (process.env.AOT_KEEP_TMP !== '1') {
      for (const dir of configDirs) rmSync(dir, { recursive: true, force: true })
    }
  })

  test.beforeEach((t) => {
    const title = testTitleOf(t.title)
    const leg = titles.get(title)
    const server = leg && servers.get(leg.name)
    if (server) logOffsets.set(title, server.errorLogSize())
  })

  test.afterEach.always((t) => {
    const title = testTitleOf(t.title)
    const leg = titles.get(title)
    const server = leg && servers.get(leg.name)
    if (!server || t.passed) return
    const lines = server.errorLogSince(logOffsets.get(title) ?? 0).trimEnd()
    t.log(
      `nginx error log of leg ${leg.name} during this test (${server.paths.errorLog}):\n` +
        (lines === '' ? '(nothing)' : lines),
    )
  })

  const register = (
    kind: 'concurrent' | 'serial',
    title: string,
    implementation: LegTestImplementation<Context>,
  ) => {
    for (const leg of legs) {
      const legTitle = `[${leg.name}] ${title}`
      titles.set(legTitle, leg)
      const run = (t: ExecutionContext<Context>) => implementation(t, suite.server(leg))
      if (kind === 'serial') test.serial(legTitle, run)
      else test(legTitle, run)
    }
  }

  const suite: LegSuite<Context> = {
    legs,
    server(leg) {
      const name = typeof leg === 'string' ? leg : leg.name
      const server = servers.get(name)
      if (!server) throw new Error(`no nginx for leg ${name}: use suite.server() inside tests`)
      return server
    },
    httpbin() {
      if (!backend) throw new Error('this suite has no httpbin: pass httpbin: true')
      return backend
    },
    test: (title, implementation) => register('concurrent', title, implementation),
    serial: (title, implementation) => register('serial', title, implementation),
  }
  return suite
}

/** A hook's title is `<hook title> for <test title>`. */
function testTitleOf(hookTitle: string): string {
  const marker = hookTitle.indexOf(' for ')
  return marker === -1 ? hookTitle : hookTitle.slice(marker + ' for '.length)
}
