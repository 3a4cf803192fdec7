/**
 * Worker CPU per request of a few njs handlers of one bench-only module, under wrk load, in
 * interleaved rounds: how docs/benchmarks.md measures what a single njs operation costs in time
 * (callgrind counts instructions, which on this machine do not track time: valgrind hides the
 * CPU's SHA extensions, and njs's loops run at very different instructions per cycle).
 *
 *   npx tsx bench/handler-cost.ts --leg trixie --module bench/njs/hash-cost.js \
 *     --handlers syncLong,syncShort,subtleLong,subtleShort [--rounds 7] [--duration 3]
 *
 * One nginx, 1 worker pinned to core 0 (wrk on core 1), `js_content m.<handler>` at /<handler>.
 * Prints the median µs per request of each handler over the rounds. Only talks to 127.0.0.1.
 */
import { spawn } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { freePorts, waitForPort } from '../test/nginx-harness/net'
import { makeTempDir } from '../test/nginx-harness/paths'
import { legByName } from '../test/nginx-harness/runtimes'
import { stopNginx } from './lib/callgrind'
import { LOAD_CORE, pin, processCpuNs, SERVER_CORE } from './lib/machine'
import { singleProcessConf } from '../test/nginx-harness/single-process'
import { runWrk } from './lib/wrk'

function option(name: string, fallback?: string): string {
  const index = process.argv.indexOf(name)
  if (index !== -1 && process.argv[index + 1] !== undefined) return process.argv[index + 1]
  if (fallback === undefined) throw new Error(`${name} is required (see the comment at the top of bench/handler-cost.ts)`)
  return fallback
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1]

async function main(): Promise<void> {
  const leg = legByName(option('--leg'))
  const module = resolve(option('--module'))
  const handlers = option('--handlers').split(',')
  const rounds = Number(option('--rounds', '7'))
  const durationS = Number(option('--duration', '3'))
  const work = makeTempDir(`handler-cost-${leg.name}`)
  const [port] = await freePorts(1)
  const conf = singleProcessConf(leg, work, [
    'access_log off;',
    `js_import m from ${module};`,
    `server { listen 127.0.0.1:${port}; ${handlers.map((h) => `location = /${h} { js_content m.${h}; }`).join(' ')} }`,
  ], 1024)
  writeFileSync(join(work, 'nginx.conf'), conf)
  const { file, args } = leg.nginxCommand(['-p', `${work}/`, '-c', join(work, 'nginx.conf'), '-e', join(work, 'error.log')])
  // master_process off: this process is the worker.
  const child = spawn(file, args, { stdio: 'ignore' })
  const us: { [handler: string]: number[] } = {}
  try {
    await waitForPort(port, 15_000, () => {
      if (child.exitCode !== null) throw new Error(`nginx exited (${child.exitCode}); see ${work}/error.log`)
    })
    pin(child.pid!, SERVER_CORE)
    pin(process.pid, LOAD_CORE)
    const url = (h: string) => `http://127.0.0.1:${port}/${h}`
    for (const h of handlers) await runWrk({ url: url(h), connections: 64, durationS: 1, core: LOAD_CORE })
    for (let round = 0; round < rounds; round++) {
      const order = [...handlers.slice(round % handlers.length), ...handlers.slice(0, round % handlers.length)]
      for (const h of order) {
        const before = processCpuNs(child.pid!)
        const result = await runWrk({ url: url(h), connections: 64, durationS, core: LOAD_CORE })
        if (result.non2xx > 0 || result.socketErrors > 0) throw new Error(`/${h}: ${result.non2xx} non-2xx, ${result.socketErrors} socket errors; see ${work}/error.log`)
        ;(us[h] ??= []).push((processCpuNs(child.pid!) - before) / 1000 / result.requests)
      }
    }
  } finally {
    await stopNginx(child)
  }
  for (const h of handlers) {
    process.stdout.write(`${leg.name} ${h}: ${median(us[h]).toFixed(2)} µs per request (rounds: ${us[h].map((v) => v.toFixed(2)).join(' ')})\n`)
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    process.stderr.write(`handler-cost: ${error instanceof Error ? error.message : String(error)}\n`)
    process.exit(1)
  },
)
