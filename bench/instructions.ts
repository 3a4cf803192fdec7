/**
 * Instructions per request for one njs handler, called directly by `js_content` (no auth_request),
 * under callgrind: the tool behind docs/benchmarks.md's comparison of the module's hit path with
 * the least code that can do the same (bench/njs/minimal-hit.js).
 *
 *   npx tsx bench/instructions.ts --leg sid --module bench/njs/minimal-hit.js --handler hit
 *   npx tsx bench/instructions.ts --leg sid --module dist/authotron.js --handler authenticate --config FILE
 *   npx tsx bench/instructions.ts --leg bookworm --module M.js --handler h --http 'js_preload_object o from F.json;' \
 *                                 --location 'set $authotron_require "role=x";'
 *   npx tsx bench/instructions.ts --leg sid --module M.js --handler sub --server 'location /c { return 200 "x"; }'
 *
 * The http{} block gets the `authotron` shared dict (where the leg has one) and, with --config, the
 * module's config lines, --http more http{} lines, --server more locations of the server (a
 * subrequest's target) and --location lines before the handler. Sends a Basic credential; 20 warm-up requests, then --requests measured.
 */
import { execFileSync, spawn } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { Agent } from 'node:http'
import { join, resolve } from 'node:path'
import { freePorts, waitForPort } from '../test/nginx-harness/net'
import { makeTempDir } from '../test/nginx-harness/paths'
import { legByName } from '../test/nginx-harness/runtimes'
import { getStatus, instructionsPerRequest, stopNginx } from './lib/callgrind'
import { singleProcessConf } from '../test/nginx-harness/single-process'

function option(name: string, fallback?: string): string {
  const index = process.argv.indexOf(name)
  if (index !== -1) return process.argv[index + 1]
  if (fallback === undefined) throw new Error(`${name} is required`)
  return fallback
}

const BASIC = `Basic ${Buffer.from('bench:bench-password').toString('base64')}`

async function main(): Promise<void> {
  const leg = legByName(option('--leg'))
  const module = resolve(option('--module'))
  const handler = option('--handler')
  const config = process.argv.includes('--config') ? resolve(option('--config')) : undefined
  const requests = Number(option('--requests', '200'))
  const work = makeTempDir(`instructions-${leg.name}`)
  const [port] = await freePorts(1)
  const conf = singleProcessConf(leg, work, [
    `js_import m from ${module};`,
    leg.features.sharedDict ? 'js_shared_dict_zone zone=authotron:1m type=string timeout=60s;' : '',
    leg.features.sharedDict ? 'js_shared_dict_zone zone=authotron_metrics:1m type=number;' : '',
    config ? `js_preload_object authotron_cfg from ${config}; js_var $authotron_config_file ${config};` : '',
    option('--http', ''),
    `server { listen 127.0.0.1:${port}; access_log off; ${option('--server', '')} location /t { ${option('--location', '')} js_content m.${handler}; } }`,
  ])
  writeFileSync(join(work, 'nginx.conf'), conf)
  const { file, args } = leg.nginxCommand(['-p', `${work}/`, '-c', join(work, 'nginx.conf'), '-e', join(work, 'error.log')])
  const out = join(work, 'callgrind.out')
  const child = spawn('valgrind', ['--tool=callgrind', '--instr-atstart=no', `--callgrind-out-file=${out}`, file, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  child.stdout.on('data', (d) => (output += d))
  child.stderr.on('data', (d) => (output += d))
  try {
    await waitForPort(port, 120_000, () => {
      if (child.exitCode !== null) throw new Error(`nginx under valgrind exited:\n${output}`)
    })
    const agent = new Agent({ keepAlive: true, maxSockets: 1 })
    for (let i = 0; i < 20; i++) await getStatus(port, '/t', { Authorization: BASIC }, agent)
    execFileSync('callgrind_control', ['-i', 'on', String(child.pid)], { stdio: 'ignore' })
    for (let i = 0; i < requests; i++) {
      const status = await getStatus(port, '/t', { Authorization: BASIC }, agent)
      if (status !== 200) throw new Error(`/t answered ${status}`)
    }
    execFileSync('callgrind_control', ['-i', 'off', String(child.pid)], { stdio: 'ignore' })
    agent.destroy()
  } finally {
    await stopNginx(child)
  }
  const annotate = execFileSync('callgrind_annotate', ['--threshold=99', out], { encoding: 'utf8', maxBuffer: 64 << 20 })
  const perRequest = instructionsPerRequest(annotate, requests)
  process.stdout.write(`${leg.name} ${option('--module')} ${handler}: ${perRequest.toLocaleString('en')} instructions per request\n`)
}

main().then(
  () => process.exit(0),
  (error) => {
    process.stderr.write(`instructions: ${error instanceof Error ? error.message : String(error)}\n`)
    process.exit(1)
  },
)
