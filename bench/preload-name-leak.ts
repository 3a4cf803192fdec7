/**
 * Minimal reproduction of issue 13: njs 0.7.9 (Debian 12) leaks ~17 bytes per request for every
 * `js_preload_object` whose name is longer than 14 characters. One-worker nginx, a handler that only
 * answers 200 (bench/njs/empty.js, which never reads the object), wrk for --seconds per variant:
 *
 *   none                no js_preload_object
 *   abcdefghijklmn      a small object (o.json) preloaded under a name of 14 characters
 *   abcdefghijklmno     the same under a name of 15 characters: this one leaks
 *
 * and prints worker VmRSS before and after (after a 2 s warm-up), and bytes per request.
 * `--names` chooses other names (`none` = no preload), e.g. `--names none,authotron_cfg,authotron_config`.
 * The object's content does not matter (the compiled config leaks the same), nor does reading it:
 * the handler never does. This replaces bench/preload-leak.ts, which measured the growth with the
 * 16-character `authotron_config` against no preload at all and so could not see the cause.
 *
 *   npx tsx bench/preload-name-leak.ts [--legs bookworm,trixie] [--seconds 15] [--names …]
 *
 * Only talks to 127.0.0.1; every run is bounded by --seconds.
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { startNginx } from '../test/nginx-harness/nginx'
import { makeTempDir } from '../test/nginx-harness/paths'
import { childPids, delay } from '../test/nginx-harness/processes'
import { legByName } from '../test/nginx-harness/runtimes'
import { LOAD_CORE, pin, SERVER_CORE, workerMemory } from './lib/machine'
import { BENCH_DIR } from './lib/servers'
import { runWrk } from './lib/wrk'

const DEFAULT_NAMES = ['none', 'abcdefghijklmn', 'abcdefghijklmno']

function option(name: string, fallback: string): string {
  const index = process.argv.indexOf(name)
  return index === -1 ? fallback : process.argv[index + 1]
}

async function main(): Promise<void> {
  const legs = option('--legs', 'bookworm')
    .split(',')
    .map((name) => legByName(name))
  const seconds = Number(option('--seconds', '15'))
  const names = option('--names', DEFAULT_NAMES.join(',')).split(',')
  pin(process.pid, LOAD_CORE)
  for (const leg of legs) {
    const work = makeTempDir(`preload-name-leak-${leg.name}`)
    const object = join(work, 'o.json')
    writeFileSync(object, '{"a":1}\n')
    for (const name of names) {
      const preload =
        name === 'none' ? '# no js_preload_object' : `js_preload_object ${name} from ${object};`
      const server = await startNginx({
        leg,
        label: 'preload-name-leak',
        conf: ({ port }) => `
js_import bench from ${join(BENCH_DIR, 'njs/empty.js')};
${preload}
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
        // The first requests grow the worker by ~1 MiB whatever the conf (its pools, the VM's first
        // allocations): a short warm-up keeps that out of the per-request figure.
        await runWrk({ url: server.url('/x'), connections: 32, durationS: 2, core: LOAD_CORE })
        await delay(500)
        const before = workerMemory(worker).vmRssKiB
        const run = await runWrk({
          url: server.url('/x'),
          connections: 32,
          durationS: seconds,
          core: LOAD_CORE,
        })
        await delay(500)
        const after = workerMemory(worker).vmRssKiB
        const label =
          name === 'none' ? 'no js_preload_object' : `${name} (${name.length} characters)`
        process.stdout.write(
          `${leg.name.padEnd(8)} ${label.padEnd(34)} ${String(run.requests).padStart(8)} requests` +
            `  VmRSS ${before} → ${after} KiB  ${(((after - before) * 1024) / run.requests).toFixed(1)} bytes/request\n`,
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
    process.stderr.write(
      `preload-name-leak: ${error instanceof Error ? error.message : String(error)}\n`,
    )
    process.exit(1)
  },
)
