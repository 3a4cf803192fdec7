/**
 * Where does njs 0.7.9's worker memory go when Bearer requests fetch the JWK Set (issue 13)?
 * One-worker nginx; a handler (bench/njs/jwks-fetch.js) that makes one njs subrequest per request,
 * as the jwt provider does, to one of these locations, then answers 200:
 *
 *   uncached   proxy_pass to the loopback identity provider: every request is an upstream fetch
 *   cached     the same through proxy_cache (valid 1 h): every request is a cache hit
 *   expiring   the generated snippet's policy (proxy_cache_lock, use_stale updating, background
 *              update) with the set valid --ttl seconds: an expiry every few seconds
 *   bucketed   proxy_cache_lock, the key changing every 10 s (a map on $time_iso8601): each
 *              expiry is a new entry, so the concurrent requests wait for one fetch
 *   hop        the expiring policy in a server on a unix socket, proxied to: the cache sees main
 *              requests, so it serves the stale copy while one background update runs
 *
 * wrk runs --rounds rounds of --seconds at each --connections (after a 2 s warm-up); worker VmRSS
 * after each round and the identity provider's fetch count. A leak per fetch grows the same in
 * every round; a pile-up (memory held by the requests waiting at once) grows in the first rounds
 * and then stays.
 *
 *   npx tsx bench/jwks-fetch-memory.ts [--legs bookworm] [--variants uncached,cached,expiring]
 *        [--connections 8,256] [--seconds 15] [--rounds 3] [--ttl 2] [--delay-ms 20]
 *
 * Only talks to 127.0.0.1; every run is bounded.
 */
import { createServer, type Server } from 'node:http'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { startNginx } from '../test/nginx-harness/nginx'
import { makeTempDir } from '../test/nginx-harness/paths'
import { childPids, delay } from '../test/nginx-harness/processes'
import { legByName } from '../test/nginx-harness/runtimes'
import { LOAD_CORE, pin, SERVER_CORE, workerMemory } from './lib/machine'
import { BENCH_DIR } from './lib/servers'
import { runWrk } from './lib/wrk'

function option(name: string, fallback: string): string {
  const index = process.argv.indexOf(name)
  return index === -1 ? fallback : process.argv[index + 1]
}

/** A JWK Set of the usual size (two RSA keys, ~1.4 kB). */
const JWKS = JSON.stringify({
  keys: [1, 2].map((i) => ({
    kty: 'RSA',
    kid: `key-${i}`,
    alg: 'RS256',
    use: 'sig',
    e: 'AQAB',
    n: 'x'.repeat(342),
  })),
})

async function startOrigin(delayMs: number): Promise<{ server: Server; port: number; fetches: () => number }> {
  let fetches = 0
  const server = createServer((_req, res) => {
    fetches++
    setTimeout(() => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(JWKS) })
      res.end(JWKS)
    }, delayMs)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  if (address === null || typeof address === 'string') throw new Error('origin: no port')
  return { server, port: address.port, fetches: () => fetches }
}

function locations(originPort: number, cacheKeysZone: string, ttlS: number, hopSocket: string): string {
  const upstream = `
        internal;
        proxy_pass http://127.0.0.1:${originPort}/jwks;
        proxy_pass_request_headers off;
        proxy_pass_request_body off;
        proxy_http_version 1.1;
        subrequest_output_buffer_size 256k;`
  return `
    location = /uncached {${upstream}
    }
    location = /cached {${upstream}
        proxy_cache ${cacheKeysZone};
        proxy_cache_key "cached";
        proxy_cache_valid 200 1h;
        proxy_cache_lock on;
    }
    location = /expiring {${upstream}
        proxy_cache ${cacheKeysZone};
        proxy_cache_key "expiring";
        proxy_ignore_headers Cache-Control Expires Set-Cookie Vary;
        proxy_cache_lock on;
        proxy_cache_lock_timeout 20s;
        proxy_cache_lock_age 20s;
        proxy_cache_valid 200 ${ttlS}s;
        proxy_cache_valid any 10s;
        proxy_cache_use_stale error timeout invalid_header updating http_500 http_502 http_503 http_504;
        proxy_cache_background_update on;
    }
    location = /bucketed {${upstream}
        proxy_cache ${cacheKeysZone};
        proxy_cache_key "bucketed $bench_jwks_bucket";
        proxy_cache_lock on;
        proxy_cache_lock_timeout 20s;
        proxy_cache_lock_age 20s;
        proxy_cache_valid 200 1h;
        proxy_cache_valid any 10s;
    }
    location = /hop {
        internal;
        proxy_pass http://unix:${hopSocket}:/expiring-main;
        proxy_pass_request_headers off;
        proxy_pass_request_body off;
        proxy_http_version 1.1;
        subrequest_output_buffer_size 256k;
    }`
}

/** The loopback server of the \`hop\` variant: the cache sees main requests there. */
function hopServer(originPort: number, cacheKeysZone: string, ttlS: number, hopSocket: string): string {
  return `
server {
    listen unix:${hopSocket};
    access_log off;
    location = /expiring-main {
        proxy_pass http://127.0.0.1:${originPort}/jwks;
        proxy_pass_request_headers off;
        proxy_pass_request_body off;
        proxy_http_version 1.1;
        proxy_cache ${cacheKeysZone};
        proxy_cache_key "hop";
        proxy_ignore_headers Cache-Control Expires Set-Cookie Vary;
        proxy_cache_lock on;
        proxy_cache_lock_timeout 20s;
        proxy_cache_lock_age 20s;
        proxy_cache_valid 200 ${ttlS}s;
        proxy_cache_valid any 10s;
        proxy_cache_use_stale error timeout invalid_header updating http_500 http_502 http_503 http_504;
        proxy_cache_background_update on;
    }
}`
}

async function main(): Promise<void> {
  const legs = option('--legs', 'bookworm').split(',').map((name) => legByName(name))
  const variants = option('--variants', 'uncached,cached,expiring').split(',')
  const connections = option('--connections', '8,256').split(',').map(Number)
  const seconds = Number(option('--seconds', '15'))
  const rounds = Number(option('--rounds', '3'))
  const ttlS = Number(option('--ttl', '2'))
  const origin = await startOrigin(Number(option('--delay-ms', '20')))
  pin(process.pid, LOAD_CORE)
  try {
    for (const leg of legs) {
      for (const variant of variants) {
        for (const c of connections) {
          const work = makeTempDir(`jwks-fetch-${leg.name}`)
          const server = await startNginx({
            leg,
            label: 'jwks-fetch-memory',
            conf: ({ port }) => `
js_import bench from ${join(BENCH_DIR, 'njs/jwks-fetch.js')};
proxy_cache_path ${join(work, 'cache')} keys_zone=bench_jwks:1m use_temp_path=off;
# bucketed: the key changes every 10 s (the first 18 characters of 2026-12-06T19:53:28+00:00).
map $time_iso8601 $bench_jwks_bucket { "~^(?<b>.{18})" $b; default none; }
${hopServer(origin.port, 'bench_jwks', ttlS, join(work, 'hop.sock'))}
server {
    listen 127.0.0.1:${port};
    access_log off;
    location = /x { set $jwks_location /${variant}; js_content bench.fetchOnce; }
${locations(origin.port, 'bench_jwks', ttlS, join(work, 'hop.sock'))}
}`,
          })
          try {
            const master = Number(readFileSync(join(server.paths.prefix, 'nginx.pid'), 'utf8'))
            const worker = childPids(master)[0]
            pin(worker, SERVER_CORE)
            await runWrk({ url: server.url('/x'), connections: c, durationS: 2, core: LOAD_CORE })
            await delay(500)
            const start = workerMemory(worker).vmRssKiB
            const fetchesBefore = origin.fetches()
            const steps: string[] = []
            let requests = 0
            for (let round = 1; round <= rounds; round++) {
              const run = await runWrk({ url: server.url('/x'), connections: c, durationS: seconds, core: LOAD_CORE })
              await delay(300)
              requests += run.requests
              steps.push(`${workerMemory(worker).vmRssKiB}`)
              if (run.non2xx !== undefined && run.non2xx > 0) steps.push(`(${run.non2xx} non-2xx)`)
            }
            const end = workerMemory(worker).vmRssKiB
            process.stdout.write(
              `${leg.name.padEnd(8)} ${variant.padEnd(9)} c=${String(c).padEnd(4)} ${String(requests).padStart(8)} requests` +
                ` ${String(origin.fetches() - fetchesBefore).padStart(7)} fetches  VmRSS ${start} → ${steps.join(' → ')} KiB` +
                `  ${(((end - start) * 1024) / requests).toFixed(2)} bytes/request\n`,
            )
          } finally {
            await server.stop()
          }
        }
      }
    }
  } finally {
    origin.server.close()
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    process.stderr.write(`jwks-fetch-memory: ${error instanceof Error ? error.message : String(error)}\n`)
    process.exit(1)
  },
)
