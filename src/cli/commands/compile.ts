/** `authotron compile [CONFIG] -o OUT.json`: the JSON nginx preloads, or every problem and no file. */
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { compileConfig } from '../../compiler/compile'
import type { CompiledConfig } from '../../config/compiled'
import {
  DEFAULT_JWKS_CACHE_DIR,
  JWKS_HTTP_SNIPPET,
  JWKS_LOCATIONS_SNIPPET,
  jwksSnippets,
} from '../../providers/jwt/nginx-snippets'
import {
  DEFAULT_REMOTE_CACHE_DIR,
  REMOTE_HTTP_SNIPPET,
  REMOTE_LOCATIONS_SNIPPET,
  remoteSnippets,
} from '../../remote/nginx-snippets'
import { VERSION } from '../../version'
import { describeIoError } from '../../compiler/io-error'
import { parseCommandArgs, UsageError } from '../args'
import { keepingAccess, writeFileAtomic } from '../atomic-write'
import { CliIO, Command, EXIT_FAILURE, EXIT_OK, writeLine } from '../io'
import { errorCount, printDiagnostics, summary } from '../report'

export const compileCommand: Command = {
  name: 'compile',
  summary: 'compile a config (YAML + AOT_ variables) into the JSON nginx preloads',
  help: `Usage: authotron compile [CONFIG] -o OUT.json

Validates CONFIG and the AOT_ environment variables and writes the compiled JSON that
nginx loads with \`js_preload_object authotron_cfg from OUT.json;\`.

CONFIG defaults to $AOT_CONFIG_PATH, then config.yaml, looked for in the working
directory and then its parents; without any file the configuration comes from AOT_
variables alone. A CONFIG given here must exist.

OUT.json is replaced atomically and created with mode 0600 (it holds the JWT secret
and password hashes). \`-o -\` writes to standard output. On any error nothing is
written. Errors, warnings and notes go to standard error.

With --nginx-snippets DIR it also writes the nginx configuration the jwt providers
need (docs/jwt.md), generated for this config: DIR/authotron-jwks-http.conf (include
it in http {}) and DIR/authotron-jwks-locations.conf (include it in every server {}
that authenticates); and the same pair for the remote providers (ecmwf-api, efas-api,
…; docs/remote.md): DIR/authotron-remote-http.conf and
DIR/authotron-remote-locations.conf. Regenerate them whenever you compile.

Options:
  -o, --output FILE        where to write the compiled JSON (required; - for stdout)
  --nginx-snippets DIR     also write the jwt providers' nginx snippets into DIR
  --jwks-cache-dir PATH    their proxy_cache_path (default ${DEFAULT_JWKS_CACHE_DIR})
  --remote-cache-dir PATH  the remote answers' proxy_cache_path (default ${DEFAULT_REMOTE_CACHE_DIR})
  --remote-socket PATH     the remote relay server's unix socket (default: the cache directory + .sock)
  -q, --quiet              do not print notes (errors and warnings are always printed)
  -h, --help               show this help

Exit status: 0 compiled, 1 invalid config or unwritable output, 2 usage error.`,

  async run(args, io) {
    const { values, positionals } = parseCommandArgs(
      args,
      {
        output: { type: 'string', short: 'o' },
        quiet: { type: 'boolean', short: 'q' },
        'nginx-snippets': { type: 'string' },
        'jwks-cache-dir': { type: 'string' },
        'remote-cache-dir': { type: 'string' },
        'remote-socket': { type: 'string' },
      },
      1,
    )
    if (values.help) {
      writeLine(io.stdout, this.help)
      return EXIT_OK
    }
    const output = values.output as string | undefined
    if (output === undefined || output === '')
      throw new UsageError('missing -o OUT.json (use -o - for standard output)')

    const snippetsDir = values['nginx-snippets'] as string | undefined
    const cacheDir = values['jwks-cache-dir'] as string | undefined
    if (snippetsDir === '') throw new UsageError('--nginx-snippets needs a directory')
    if (cacheDir !== undefined && snippetsDir === undefined)
      throw new UsageError('--jwks-cache-dir goes with --nginx-snippets DIR')
    const remoteCacheDir = values['remote-cache-dir'] as string | undefined
    if (remoteCacheDir !== undefined && snippetsDir === undefined)
      throw new UsageError('--remote-cache-dir goes with --nginx-snippets DIR')
    const remoteSocket = values['remote-socket'] as string | undefined
    if (remoteSocket !== undefined && (snippetsDir === undefined || !remoteSocket.startsWith('/')))
      throw new UsageError('--remote-socket takes an absolute path and goes with --nginx-snippets DIR')

    const result = compileConfig({ path: positionals[0], env: io.env, cwd: io.cwd })
    printDiagnostics(result, io, { quiet: values.quiet === true })
    if (result.config === undefined) {
      writeLine(
        io.stderr,
        `authotron: ${result.source ?? 'config'}: ${errorCount(result)}; nothing written`,
      )
      return EXIT_FAILURE
    }
    if (snippetsDir !== undefined) {
      // Before the config: a reload must never see a config whose locations do not exist yet.
      if (!writeJwksSnippets(result.config, snippetsDir, cacheDir, io)) return EXIT_FAILURE
      if (!writeRemoteSnippets(result.config, snippetsDir, remoteCacheDir, remoteSocket, io)) return EXIT_FAILURE
    }
    const json = `${JSON.stringify(result.config, null, 2)}\n`
    if (output === '-') {
      io.stdout.write(json)
      return EXIT_OK
    }
    const access = compiledConfigAccess(output)
    if (access.droppedOther) writeLine(io.stderr, `note: ${output}: no longer readable by other users (mode ${access.mode.toString(8).padStart(4, '0')}): it holds the JWT secret`)
    try {
      writeFileAtomic(output, json, access.mode, access.owner)
    } catch (error) {
      writeLine(io.stderr, `error: cannot write ${output}: ${describeIoError(error)}`)
      return EXIT_FAILURE
    }
    writeLine(io.stderr, `authotron: wrote ${output} (${summary(result.config)})`)
    return EXIT_OK
  },
}

/** DIR/authotron-jwks-http.conf and DIR/authotron-jwks-locations.conf (docs/jwt.md). */
function writeJwksSnippets(
  config: CompiledConfig,
  dir: string,
  cacheDir: string | undefined,
  io: CliIO,
): boolean {
  return writeSnippetFiles(dir, io, () => {
    const snippets = jwksSnippets(config, {
      cacheDir: cacheDir ?? DEFAULT_JWKS_CACHE_DIR,
      generator: `authotron-njs ${VERSION}`,
    })
    return [
      [JWKS_HTTP_SNIPPET, snippets.http, 0o644],
      [JWKS_LOCATIONS_SNIPPET, snippets.locations, 0o644],
    ]
  })
}

/** DIR/authotron-remote-http.conf and DIR/authotron-remote-locations.conf (docs/remote.md). */
function writeRemoteSnippets(
  config: CompiledConfig,
  dir: string,
  cacheDir: string | undefined,
  socket: string | undefined,
  io: CliIO,
): boolean {
  return writeSnippetFiles(dir, io, () => {
    const snippets = remoteSnippets(config, {
      cacheDir: cacheDir ?? DEFAULT_REMOTE_CACHE_DIR,
      socket,
      generator: `authotron-njs ${VERSION}`,
    })
    // The locations file holds the seal secrets and a client's credentials (openid-offline).
    const locationsMode = snippets.secret ? 0o600 : 0o644
    return [
      [REMOTE_HTTP_SNIPPET, snippets.http, 0o644],
      [REMOTE_LOCATIONS_SNIPPET, snippets.locations, locationsMode],
    ]
  })
}

/** Generates snippet files (name, text, mode) and writes each atomically into DIR, created if missing. */
function writeSnippetFiles(dir: string, io: CliIO, generate: () => [string, string, number][]): boolean {
  let files: [string, string, number][]
  try {
    files = generate()
  } catch (error) {
    writeLine(io.stderr, `error: --nginx-snippets: ${(error as Error).message}`)
    return false
  }
  try {
    mkdirSync(dir, { recursive: true })
  } catch (error) {
    writeLine(io.stderr, `error: cannot create ${dir}: ${describeIoError(error)}`)
    return false
  }
  for (const [name, text, mode] of files) {
    const target = join(dir, name)
    try {
      writeFileAtomic(target, text, mode)
    } catch (error) {
      writeLine(io.stderr, `error: cannot write ${target}: ${describeIoError(error)}`)
      return false
    }
    writeLine(io.stderr, `authotron: wrote ${target}`)
  }
  return true
}

/**
 * The mode (and, when run as root, the owner) the compiled config is written with: an existing
 * file's, so that a recompile keeps what the operator set up (`chgrp www-data config.json && chmod
 * 0640 config.json`, which QuickJS workers need, README), as ldap-sync does; 0600 for a new file.
 * Never the bits for other users: the file holds the JWT secret and password hashes. Only root
 * may give a file to another user, so others write it as their own.
 */
export function compiledConfigAccess(target: string): { mode: number; owner?: { uid: number; gid: number }; droppedOther: boolean } {
  const existing = keepingAccess(target)
  const mode = existing.mode & 0o770
  const owner = process.getuid?.() === 0 ? existing.owner : undefined
  return { mode, owner, droppedOther: mode !== existing.mode }
}
