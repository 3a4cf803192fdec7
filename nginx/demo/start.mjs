#!/usr/bin/env node
// `npm start`: the seed example (Auth-O-Tron in front of httpbin) with Auth-O-Tron running inside
// nginx, on http://localhost:8080 (PORT=… to change; AOT_LEG=trixie|sid|sid-qjs for a newer nginx).
//
// This part needs nothing but Node: it installs what is missing (Debian packages as root, the
// unpacked runtime of the chosen leg, npm packages), builds, then hands over to demo.ts.
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const repo = fileURLToPath(new URL('../..', import.meta.url))
const leg = process.env.AOT_LEG ?? 'bookworm'

function run(what, command, args) {
  const result = spawnSync(command, args, { cwd: repo, stdio: 'inherit' })
  if (result.status !== 0) {
    console.error(`npm start: ${what} failed (${command} ${args.join(' ')})`)
    process.exit(1)
  }
}

const debianPackages = ['python3-httpbin', 'gunicorn']
if (leg === 'bookworm') debianPackages.unshift('nginx-light', 'libnginx-mod-http-js')
run('installing Debian packages', 'bash', ['test/runtimes/install-debian.sh', ...debianPackages])

if (['trixie', 'sid', 'sid-qjs'].includes(leg)) {
  const folder = leg === 'trixie' ? 'trixie' : 'sid'
  if (!existsSync(`${repo}/.runtimes/${folder}/ready`)) {
    run(`fetching the ${folder} runtime`, 'bash', ['test/runtimes/fetch.sh', folder])
  }
}

if (!existsSync(`${repo}/node_modules/.bin/tsx`)) run('npm ci', 'npm', ['ci', '--no-audit', '--no-fund'])
run('the build', process.execPath, ['build.mjs'])

const { register } = await import('tsx/esm/api')
register()
await import('./demo.ts')
