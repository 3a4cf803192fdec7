/**
 * The cost of each stored-password form inside a real nginx worker (docs/passwords.md):
 *
 *   npx tsx bench/passwords/nginx.ts [--seconds 5] [--rounds 3] [--nginx /usr/sbin/nginx]
 *       [--module /usr/lib/nginx/modules/ngx_http_js_module.so]
 *
 * One worker, `wrk -t1 -c4` on the other core, one location per form plus a no-op js_content
 * handler; every request verifies the right password (nothing is cached). µs per verification =
 * 1/rps(form) − 1/rps(noop), from the medians of interleaved rounds.
 */
import { build } from 'esbuild'
import { execFileSync, spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { setTimeout as sleep } from 'node:timers/promises'
import { benchCases, PASSWORD } from './run'

function option(name: string, fallback: string): string {
  const index = process.argv.indexOf(name)
  return index === -1 ? fallback : process.argv[index + 1]
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(),
      )
    })
  })
}

function slug(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
}

async function main(): Promise<void> {
  const seconds = Number(option('--seconds', '5'))
  const rounds = Number(option('--rounds', '3'))
  const nginx = option('--nginx', '/usr/sbin/nginx')
  const module = option('--module', '/usr/lib/nginx/modules/ngx_http_js_module.so')
  const cases = benchCases(false).map((benchCase) => ({
    ...benchCase,
    location: slug(benchCase.name),
  }))
  const verifiers: { [location: string]: unknown } = {}
  for (const benchCase of cases) verifiers[benchCase.location] = benchCase.verifier

  const bundled = await build({
    entryPoints: [fileURLToPath(new URL('./nginx-handlers.ts', import.meta.url))],
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    external: ['crypto'],
    write: false,
    define: {
      BENCH_PASSWORD: JSON.stringify(PASSWORD),
      BENCH_VERIFIERS: JSON.stringify(verifiers),
    },
  })
  // njs 0.7.9 accepts only `export default x;` (as in build.mjs).
  const script = bundled.outputFiles[0].text.replace(
    /export\s*\{\s*(\w+)\s+as\s+default\s*\};?/,
    'export default $1;',
  )

  const prefix = mkdtempSync(join(tmpdir(), 'authotron-bench-nginx-'))
  const port = await freePort()
  writeFileSync(join(prefix, 'handlers.js'), script)
  const apr1 = cases.find((benchCase) => benchCase.verifier.form === 'md5crypt')!.verifier
  if (apr1.form !== 'md5crypt') throw new Error('no $apr1$ case')
  writeFileSync(join(prefix, 'htpasswd'), `bench:${apr1.magic}${apr1.salt}$${apr1.hash}\n`)
  const basicHeader = `Authorization: Basic ${Buffer.from(`bench:${PASSWORD}`).toString('base64')}`
  writeFileSync(
    join(prefix, 'nginx.conf'),
    `load_module ${module};
daemon off;
worker_processes 1;
error_log ${prefix}/error.log warn;
pid ${prefix}/nginx.pid;
events { worker_connections 256; }
http {
  access_log off;
  client_body_temp_path ${prefix}; proxy_temp_path ${prefix}; fastcgi_temp_path ${prefix};
  uwsgi_temp_path ${prefix}; scgi_temp_path ${prefix};
  js_import bench from ${prefix}/handlers.js;
  server {
    listen 127.0.0.1:${port};
    location = /noop { js_content bench.noop; }
    # What operators move from: nginx's own C check of the same $apr1$ hash, then the no-op.
    location = /auth-basic-apr1 {
      auth_basic bench; auth_basic_user_file ${prefix}/htpasswd; js_content bench.noop;
    }
    location / { js_content bench.verifyEach; }
  }
}
`,
  )
  const server = spawn(nginx, ['-p', prefix, '-c', join(prefix, 'nginx.conf')], {
    stdio: 'inherit',
  })
  try {
    await sleep(500)
    const rps = (location: string): number => {
      const url = `http://127.0.0.1:${port}/${location}`
      const status = execFileSync(
        'curl',
        ['-s', '-o', '/dev/null', '-w', '%{http_code}', '-H', basicHeader, url],
        { encoding: 'utf8' },
      )
      if (status !== '204') throw new Error(`${url} answered ${status}`)
      const output = execFileSync('wrk', ['-t1', '-c4', `-d${seconds}s`, '-H', basicHeader, url], {
        encoding: 'utf8',
      })
      const match = /Requests\/sec:\s+([\d.]+)/.exec(output)
      if (!match || /Non-2xx/.test(output)) throw new Error(`wrk on ${url}:\n${output}`)
      return Number(match[1])
    }
    // Interleaved rounds, medians: the machine is shared, so neighbours come and go.
    const locations = ['noop', ...cases.map((benchCase) => benchCase.location), 'auth-basic-apr1']
    const samples: number[][] = locations.map(() => [])
    for (let round = 0; round < rounds; round++) {
      for (let i = 0; i < locations.length; i++) samples[i].push(rps(locations[i]))
    }
    const medians = samples.map((values) => [...values].sort((a, b) => a - b)[values.length >> 1])
    const noop = medians[0]
    const version = spawnSync(nginx, ['-v'], { encoding: 'utf8' }).stderr.trim()
    console.log(
      `${version}, median of ${rounds} × ${seconds} s; js_content no-op: ` +
        `${Math.round(noop).toLocaleString('en')} req/s\n`,
    )
    console.log('| form | req/s, every request verifies | µs / verification in nginx |')
    console.log('|---|---:|---:|')
    for (let i = 0; i < cases.length; i++) {
      const perSecond = medians[i + 1]
      const microseconds = Math.max(0, 1e6 / perSecond - 1e6 / noop)
      console.log(
        `| ${cases[i].name} | ${Math.round(perSecond).toLocaleString('en')} | ` +
          `${Math.round(microseconds).toLocaleString('en')} |`,
      )
    }
    const nginxApr1 = medians[medians.length - 1]
    console.log(
      `| nginx \`auth_basic\`, $apr1$ in C (for comparison) | ` +
        `${Math.round(nginxApr1).toLocaleString('en')} | ` +
        `${Math.round(Math.max(0, 1e6 / nginxApr1 - 1e6 / noop)).toLocaleString('en')} |`,
    )
  } catch (error) {
    console.error(readFileSync(join(prefix, 'error.log'), 'utf8'))
    throw error
  } finally {
    server.kill('SIGQUIT')
    await sleep(300)
    rmSync(prefix, { recursive: true, force: true })
  }
}

await main()
