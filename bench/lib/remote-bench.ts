/**
 * What bench/remote.ts and bench/remote-token.ts share: compiling a bench config with its
 * generated nginx snippets, a first request that must succeed, and a wrk run against
 * /authenticate that fails on any non-2xx answer.
 */
import { spawnSync } from 'node:child_process'
import { chmodSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { AUTHOTRON_CLI, REPO_ROOT } from '../../test/nginx-harness/paths'
import type { NginxServer } from '../../test/nginx-harness/nginx'
import { runWrk, type WrkResult } from './wrk'
import { processCpuNs } from './machine'
import { startFakeRemote } from '../../test/support/fake-remote'
import { whoAmI } from '../../test/support/fake-ecmwf'

/** Compiles `yaml` in `work` with the JWK Set and remote snippets beside it; returns the JSON's path. */
export function compileWithSnippets(work: string, yaml: string): string {
  writeFileSync(join(work, 'config.yaml'), yaml)
  const out = join(work, 'config.json')
  const run = spawnSync(
    process.execPath,
    [AUTHOTRON_CLI, 'compile', join(work, 'config.yaml'), '-o', out, '-q', '--nginx-snippets', work,
      '--jwks-cache-dir', join(work, 'jwks-cache'), '--remote-cache-dir', join(work, 'remote-cache')],
    { encoding: 'utf8' },
  )
  if (run.status !== 0) throw new Error(run.stderr)
  chmodSync(work, 0o755)
  chmodSync(out, 0o644)
  return out
}

/** One request with `headers` ("Name: value" lines) that must answer 200 before the load starts. */
/**
 * The nginx conf of bench/remote.ts and bench/remote-token.ts: the snippets compileWithSnippets
 * wrote to `work` (JWK Sets, remote steps, their relay servers) and the endpoints, one server.
 */
export function remoteBenchConf(sharedDict: boolean, work: string, port: number): string {
  return `
    ${sharedDict ? `include ${REPO_ROOT}/nginx/authotron-cache.conf;` : ''}
    include ${work}/authotron-jwks-http.conf;
    include ${work}/authotron-remote-http.conf;
    server {
      listen 127.0.0.1:${port};
      access_log off;
      include ${REPO_ROOT}/nginx/authotron-endpoints.conf;
      include ${work}/authotron-jwks-locations.conf;
      include ${work}/authotron-remote-locations.conf;
    }`
}

export async function expect200(nginx: NginxServer, headers: string[]): Promise<void> {
  const init: { [name: string]: string } = {}
  for (const header of headers) init[header.slice(0, header.indexOf(':'))] = header.slice(header.indexOf(':') + 2)
  const response = await fetch(nginx.url('/authenticate'), { headers: init })
  if (response.status !== 200) throw new Error(`${headers[1]}: ${response.status}\n${nginx.errorLog().slice(-2000)}`)
}

/**
 * wrk against /authenticate on one core; any non-2xx answer or socket error fails the bench.
 * `cpuUs`: the worker's CPU per request (µs, /proc/<worker>/schedstat), which other processes on a
 * shared machine hardly move, unlike req/s.
 */
export function wrkAuthenticate(
  nginx: NginxServer,
  headers: string[],
  connections: number,
  seconds: number,
): Promise<WrkResult & { cpuUs: number }> {
  const worker = workerPid(nginx)
  const before = processCpuNs(worker)
  return runWrk({ url: nginx.url('/authenticate'), connections, durationS: seconds, headers, core: 1 }).then((result) => {
    if (result.non2xx > 0 || result.socketErrors > 0) throw new Error(`wrk: ${result.non2xx} non-2xx, ${result.socketErrors} socket errors`)
    return { ...result, cpuUs: (processCpuNs(worker) - before) / 1000 / Math.max(1, result.requests) }
  })
}

/** The pid of the (single) worker of `nginx`: the master's child whose title says so. */
function workerPid(nginx: NginxServer): number {
  const master = readFileSync(join(nginx.paths.prefix, 'nginx.pid'), 'utf8').trim()
  const children = readFileSync(`/proc/${master}/task/${master}/children`, 'utf8').trim().split(/\s+/)
  const worker = children.find((pid) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('worker process'))
  if (worker === undefined) throw new Error(`no worker process under nginx master ${master}`)
  return Number(worker)
}

/** The ECMWF API key the remote benches (and `npm run bench`'s remote-cached case) send. */
export const REMOTE_API_KEY = 'bench-api-key-0123456789abcdef'

/**
 * A loopback fake ECMWF who-am-i knowing REMOTE_API_KEY (`hang-…` keys never answer: bench/remote.ts's
 * hang). Its base URL (…/v1) is the ecmwf-api provider's `uri`.
 */
export async function startFakeWhoAmI(): Promise<{ url: string; calls(): number; stop(): Promise<void> }> {
  const remote = await startFakeRemote({
    '/v1/who-am-i': (request) => {
      const token = request.query.get('token') ?? ''
      if (token.startsWith('hang-')) return { hang: true }
      return whoAmI({ [REMOTE_API_KEY]: { uid: 'bench', email: 'bench@ecmwf.int' } })(request)
    },
  })
  return { url: remote.url('/v1'), calls: () => remote.requests().length, stop: () => remote.stop() }
}
