/**
 * `authotron ldap-sync [CONFIG] -o OUT.json`: every `--interval` seconds, reads each ldap
 * augmenter's directory and writes the compiled config (as `authotron compile` does) with the
 * snapshots embedded, then runs the reload command — only when the output changed. A directory
 * that fails keeps its last snapshot (read back from OUT.json): one log line per failure.
 * docs/ldap.md.
 */
import { execFile } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { compileConfig } from '../../compiler/compile'
import { loadConfig } from '../../compiler/load'
import { isMapping, Mapping } from '../../compiler/paths'
import { describeIoError } from '../../compiler/io-error'
import type { CompiledConfig } from '../../config/compiled'
import type { CompiledLdapAugmenter, LdapSnapshot } from '../../augmenters/ldap/compiled'
import { ldapDirectoryConfig } from '../../augmenters/ldap/compile'
import { rolesOfGroup } from '../../augmenters/ldap/roles'
import { buildSnapshot, sameDirectory } from '../../augmenters/ldap/snapshot'
import { parseCommandArgs, UsageError } from '../args'
import { keepingAccess, writeFileAtomic } from '../atomic-write'
import { CliIO, Command, EXIT_FAILURE, EXIT_OK, writeLine } from '../io'
import { readPeople } from '../ldap-directory'
import { errorCount, printDiagnostics, summary } from '../report'

/** The reference caches a user's LDAP roles for 120 s (§5.3). */
export const DEFAULT_INTERVAL_S = 120
export const DEFAULT_TIMEOUT_S = 10
export const DEFAULT_RELOAD_COMMAND = 'nginx -s reload'
/** Above this, every worker holding the config is worth a warning (docs/ldap.md, "Size"). */
export const SNAPSHOT_WARN_BYTES = 4 * 1024 * 1024

export const ldapSyncCommand: Command = {
  name: 'ldap-sync',
  summary: "read the ldap augmenters' directories into the compiled config; reload nginx on change",
  help: `Usage: authotron ldap-sync [CONFIG] -o OUT.json [options]
       authotron ldap-sync [CONFIG] --user NAME

Reads CONFIG (as \`authotron compile\` does), then for each ldap augmenter binds to its
directory with bind_dn and ldap_password and reads every person with a memberOf, and
writes OUT.json: the compiled config with each augmenter's snapshot (users → roles by
the DN rules, and the time it was read) embedded. nginx then answers from the snapshot;
no request waits for LDAP (docs/ldap.md).

OUT.json is replaced atomically, keeping its mode and owner (0600 when new), and the
reload command run only when its content changed. A directory that fails (down, slow, bind refused) keeps the snapshot
OUT.json already holds; the failure is one line on standard error.

With --user NAME it only prints what the reference's search for NAME (escaped) finds in
each directory, and the roles that gives; it writes nothing.

Options:
  -o, --output FILE          the compiled config nginx loads (required but with --user)
  --interval SECONDS         time between two reads (default ${DEFAULT_INTERVAL_S}, the reference's cache lifetime)
  --once                     read once, write if changed, reload, exit (status 1 if any directory failed)
  --timeout SECONDS          bound on each LDAP operation: connect, bind, search (default ${DEFAULT_TIMEOUT_S})
  --reload-command COMMAND   run through /bin/sh after a write (default "${DEFAULT_RELOAD_COMMAND}"; "" for none)
  --user NAME                show one user's groups and roles, write nothing
  -h, --help                 show this help

Exit status: 0 done (or stopped by a signal), 1 invalid config, unwritable output or (with
--once) a failed directory, 2 usage error.`,

  async run(args, io) {
    const { values, positionals } = parseCommandArgs(
      args,
      {
        output: { type: 'string', short: 'o' },
        interval: { type: 'string' },
        once: { type: 'boolean' },
        timeout: { type: 'string' },
        'reload-command': { type: 'string' },
        user: { type: 'string' },
      },
      1,
    )
    if (values.help) {
      writeLine(io.stdout, this.help)
      return EXIT_OK
    }
    const options: SyncOptions = {
      configPath: positionals[0],
      output: values.output as string | undefined,
      intervalMs: seconds(values.interval, DEFAULT_INTERVAL_S, '--interval') * 1000,
      timeoutMs: seconds(values.timeout, DEFAULT_TIMEOUT_S, '--timeout') * 1000,
      reloadCommand: (values['reload-command'] as string | undefined) ?? DEFAULT_RELOAD_COMMAND,
    }
    if (values.user !== undefined) return showUser(options, values.user as string, io)
    if (options.output === undefined || options.output === '' || options.output === '-') {
      throw new UsageError('missing -o OUT.json (the file nginx loads)')
    }
    if (values.once === true) return (await syncOnce(options, io)).status
    for (;;) {
      const started = Date.now()
      const { status, fatal } = await syncOnce(options, io)
      if (fatal) return status
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, options.intervalMs - (Date.now() - started))))
    }
  },
}

interface SyncOptions {
  configPath?: string
  output?: string
  intervalMs: number
  timeoutMs: number
  reloadCommand: string
}

function seconds(value: unknown, fallback: number, flag: string): number {
  if (value === undefined) return fallback
  const number = Number(value)
  if (!(number > 0) || !Number.isFinite(number)) throw new UsageError(`${flag} needs a positive number of seconds`)
  return number
}

/** The schema-valid ldap items of the YAML, by augmenter index. */
function ldapItems(options: SyncOptions, io: CliIO): Map<number, Mapping> {
  const { doc } = loadConfig({ path: options.configPath, env: io.env, cwd: io.cwd })
  const items = new Map<number, Mapping>()
  const augmenters = doc !== undefined && Array.isArray(doc.data.augmenters) ? doc.data.augmenters : []
  augmenters.forEach((item: unknown, index) => {
    if (isMapping(item) && item.type === 'ldap') items.set(index, item)
  })
  return items
}

/** One round: read, compile, write and reload if changed. `fatal`: the config itself is wrong. */
async function syncOnce(options: SyncOptions, io: CliIO): Promise<{ status: number; fatal: boolean }> {
  const output = options.output as string
  const previous = readPrevious(output)
  const snapshots = new Map<number, LdapSnapshot | null>()
  let failed = false
  for (const [index, item] of ldapItems(options, io)) {
    const directory = ldapDirectoryConfig(item)
    const before = previous?.augmenters[index]?.type === 'ldap' ? (previous.augmenters[index] as CompiledLdapAugmenter).snapshot : null
    const label = `ldap-sync: augmenter ${JSON.stringify(directory.name)} (augmenters[${index}], ${directory.uri})`
    try {
      const people = await readPeople(directory, options.timeoutMs)
      const fresh = buildSnapshot(people, directory, new Date())
      const same = sameDirectory(before, fresh)
      // An unchanged directory keeps the snapshot's time: the file, and nginx, stay as they are.
      snapshots.set(index, same ? before : fresh)
      const taken = same && before !== null ? `unchanged since ${before.takenAt}` : `read at ${fresh.takenAt}`
      const bytes = JSON.stringify(fresh).length
      writeLine(io.stderr, `${label}: ${Object.keys(fresh.members).length} users, ${fresh.groups.length} groups, ${bytes} bytes, ${taken}`)
      if (bytes > SNAPSHOT_WARN_BYTES) {
        writeLine(io.stderr, `${label}: warning: a snapshot above ${SNAPSHOT_WARN_BYTES} bytes is held by every nginx worker; narrow search_base (docs/ldap.md)`)
      }
    } catch (error) {
      failed = true
      snapshots.set(index, before)
      const kept = before === null ? 'no snapshot to keep: no LDAP roles' : `keeping the snapshot of ${before.takenAt}`
      writeLine(io.stderr, `${label}: ${(error as Error).message}; ${kept}`)
    }
  }
  const result = compileConfig({ path: options.configPath, env: io.env, cwd: io.cwd, augmenterInputs: snapshots })
  printDiagnostics(result, io, { quiet: true })
  if (result.config === undefined) {
    writeLine(io.stderr, `authotron: ${result.source ?? 'config'}: ${errorCount(result)}; nothing written`)
    return { status: EXIT_FAILURE, fatal: true }
  }
  const json = `${JSON.stringify(result.config, null, 2)}\n`
  if (previous !== undefined && previous.text === json) return { status: failed ? EXIT_FAILURE : EXIT_OK, fatal: false }
  try {
    const { mode, owner } = keepingAccess(output)
    writeFileAtomic(output, json, mode, owner)
  } catch (error) {
    writeLine(io.stderr, `ldap-sync: cannot write ${output}: ${describeIoError(error)}`)
    return { status: EXIT_FAILURE, fatal: false }
  }
  writeLine(io.stderr, `ldap-sync: wrote ${output} (${summary(result.config)})`)
  const reloaded = await reload(options.reloadCommand, io)
  return { status: failed || !reloaded ? EXIT_FAILURE : EXIT_OK, fatal: false }
}

function readPrevious(output: string): (CompiledConfig & { text: string }) | undefined {
  try {
    const text = readFileSync(output, 'utf8')
    const config = JSON.parse(text) as CompiledConfig
    return Array.isArray(config.augmenters) ? { ...config, text } : undefined
  } catch {
    return undefined
  }
}

function reload(command: string, io: CliIO): Promise<boolean> {
  if (command === '') return Promise.resolve(true)
  return new Promise((resolve) => {
    execFile('/bin/sh', ['-c', command], { env: io.env as NodeJS.ProcessEnv, cwd: io.cwd }, (error, _stdout, stderr) => {
      if (error === null) {
        writeLine(io.stderr, `ldap-sync: ran ${JSON.stringify(command)}`)
        resolve(true)
      } else {
        writeLine(io.stderr, `ldap-sync: ${JSON.stringify(command)} failed: ${stderr.trim() || error.message}`)
        resolve(false)
      }
    })
  })
}

async function showUser(options: SyncOptions, username: string, io: CliIO): Promise<number> {
  let status = EXIT_OK
  for (const [index, item] of ldapItems(options, io)) {
    const directory = ldapDirectoryConfig(item)
    try {
      const people = await readPeople(directory, options.timeoutMs, username)
      writeLine(io.stdout, `augmenters[${index}] ${JSON.stringify(directory.name)}: ${people.length} entries`)
      for (const person of people) {
        for (const group of person.memberOf) {
          writeLine(io.stdout, `  ${person.dn}: ${group} → ${JSON.stringify(rolesOfGroup(group, directory))}`)
        }
      }
    } catch (error) {
      status = EXIT_FAILURE
      writeLine(io.stderr, `ldap-sync: augmenter ${JSON.stringify(directory.name)}: ${(error as Error).message}`)
    }
  }
  return status
}
