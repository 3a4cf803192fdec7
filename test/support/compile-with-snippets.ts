/**
 * Compiles a YAML config as an operator does for providers that need nginx locations
 * (`authotron compile --nginx-snippets`): the JSON and the snippets land in `prefix` (an nginx
 * test prefix), with the JWK Set and remote caches and their relay sockets beside them.
 */
import { spawnSync } from 'node:child_process'
import { chmodSync, readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { ConfContext } from '../nginx-harness/nginx'
import { AUTHOTRON_CLI } from '../nginx-harness/paths'

export interface CompileWithSnippetsOptions {
  /** The YAML and JSON files' base name in `prefix` (default `config`). */
  name?: string
  /** Make the snippet files world-readable too (the remote locations file is written 0600). */
  readableSnippets?: boolean
}

export function compileWithSnippets(yaml: string, prefix: string, options: CompileWithSnippetsOptions = {}): string {
  const name = options.name ?? 'config'
  const source = join(prefix, `${name}.yaml`)
  const target = join(prefix, `${name}.json`)
  writeFileSync(source, yaml)
  const run = spawnSync(
    process.execPath,
    [
      AUTHOTRON_CLI, 'compile', source, '-o', target, '-q', '--nginx-snippets', prefix,
      '--jwks-cache-dir', join(prefix, 'jwks-cache'), '--remote-cache-dir', join(prefix, 'remote-cache'),
    ],
    { encoding: 'utf8' },
  )
  if (run.status !== 0) throw new Error(`authotron compile failed:\n${run.stderr}`)
  chmodSync(target, 0o644) // QuickJS workers (nobody) read it; it holds only test secrets
  if (options.readableSnippets) {
    for (const file of readdirSync(prefix)) if (file.startsWith('authotron-') && file.endsWith('.conf')) chmodSync(join(prefix, file), 0o644)
  }
  return target
}

/**
 * The http-level lines of an nginx that serves the module with every generated snippet (remote and
 * JWK Set) and the endpoints on `port`: what the README tells operators, for a config that
 * compileWithSnippets wrote into the prefix.
 */
export function moduleWithSnippetsConf({ port, paths }: ConfContext, config: string): string {
  return `
      js_import authotron from ${paths.module};
      js_preload_object authotron_cfg from ${config};
      js_var $authotron_config_file ${config};
      include ${paths.prefix}/authotron-remote-http.conf;
      include ${paths.prefix}/authotron-jwks-http.conf;
      server {
        listen 127.0.0.1:${port};
        include ${paths.repo}/nginx/authotron-endpoints.conf;
        include ${paths.prefix}/authotron-remote-locations.conf;
        include ${paths.prefix}/authotron-jwks-locations.conf;
      }`
}
