/**
 * Does worker memory grow with requests because of `js_preload_object` itself? Runs the bench's
 * no-op njs handler (bench/njs/empty.js, which never reads the object) in a 1-worker nginx, once
 * with and once without `js_preload_object authotron_cfg from <compiled bench config>;`, and
 * prints worker VmRSS after each of a few wrk runs. docs/benchmarks.md quotes it for njs 0.7.9.
 *
 *   npx tsx bench/preload-leak.ts [--legs bookworm,trixie] [--runs 5] [--seconds 3]
 *
 * Only talks to 127.0.0.1; every run is bounded by --seconds.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { compileConfig } from '../test/nginx-harness/compile'
import { startNginx } from '../test/nginx-harness/nginx'
import { makeTempDir } from '../test/nginx-harness/paths'
import { childPids } from '../test/nginx-harness/processes'
import { legByName } from '../test/nginx-harness/runtimes'
import { LOAD_CORE, pin, SERVER_CORE, workerMemory } from './lib/machine'
import { BENCH_DIR } from './lib/servers'
import { runWrk } from './lib/wrk'

function option(name: string, fallback: string): string {
  const index = process.argv.indexOf(name)
  return index === -1 ? fallback : process.argv[index + 1]
}

async function main(): Promise<void> {
  const legs = option('--legs', 'bookworm').split(',').map((name) => legByName(name))
  const runs = Number(option('--runs', '5'))
  const seconds = Number(option('--seconds', '3'))
  pin(process.pid, LOAD_CORE)
  for (const leg of legs) {
    const work = makeTempDir(`preload-leak-${leg.name}`)
    const yaml = readFileSync(join(BENCH_DIR, 'fixtures/config.yaml'), 'utf8').replaceAll('${JWKS_URL}', 'http://127.0.0.1:9/certs')
    const config = await compileConfig(yaml, work, { workerGroupId: leg.workerGroupId })
    for (const preload of [false, true]) {
      const server = await startNginx({
        leg,
        label: `preload-leak-${preload ? 'with' : 'without'}`,
        conf: ({ port }) => `
js_import bench from ${join(BENCH_DIR, 'njs/empty.js')};
${preload ? `js_preload_object authotron_cfg from ${config};` : '# no js_preload_object'}
server {
    listen 127.0.0.1:${port};
    access_log off;
    location = /x { js_content bench.empty; }
}`,
      })
      try {
        const master = Number(readFileSync(join(server.paths.prefix, 'nginx.pid'), 'utf8'))
        const worker = childPids(master)[0]
        pin(worker, SERVER_CORE)
        const start = workerMemory(worker).vmRssKiB
        let requests = 0
        const samples: number[] = []
        for (let i = 0; i < runs; i++) {
          requests += (await runWrk({ url: server.url('/x'), connections: 32, durationS: seconds, core: LOAD_CORE })).requests
          samples.push(workerMemory(worker).vmRssKiB)
        }
        const end = samples[samples.length - 1]
        process.stdout.write(
          `${leg.name} ${preload ? 'with   ' : 'without'} js_preload_object: ${requests} requests, VmRSS ${start} → ${samples.join(' → ')} KiB` +
            ` (${(((end - start) * 1024) / requests).toFixed(1)} bytes/request)\n`,
        )
      } finally {
        await server.stop()
      }
    }
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    process.stderr.write(`preload-leak: ${error instanceof Error ? error.message : String(error)}\n`)
    process.exit(1)
  },
)
