/**
 * The users of `plain` providers as password verifiers (src/passwords/): clear-text `password`,
 * the `password_hash` extension, and the users of the `htpasswd_file` extension, appended after
 * the YAML users with the roles of `htpasswd_roles`. Runs on every plain provider that is shaped
 * well enough, even when other parts of the document have errors, so that one run reports them all.
 */
import { readFileSync } from 'node:fs'
import { relative, resolve, isAbsolute } from 'node:path'
import type { Diagnostic } from '../../compiler/diagnostics'
import { describeIoError } from '../../compiler/io-error'
import { isMapping, Mapping, Path } from '../../compiler/paths'
import type { LocatedDocument } from '../../compiler/source'
import { valueLocation } from '../../compiler/source'
import { parseHtpasswd, parseStoredPassword, plainVerifier } from '../../passwords/parse'
import type { CompiledUserEntry } from './compiled'

export interface PlainUser extends CompiledUserEntry {
  username: string
  /**
   * A clear-text password (YAML `password`, htpasswd `{PLAIN}`), in memory only: the plain
   * provider compiles the verifier, and compiler/basic-grants.ts keys the precomputed Basic table by a
   * salted digest of the whole credential; neither writes the password anywhere.
   */
  clearText?: string
}

export interface UserContext {
  doc: LocatedDocument
  /** Where relative htpasswd paths start: the config file's directory. */
  baseDir: string
  /** Where file names in messages are shown relative to. */
  cwd: string
}

/** Every user of the plain provider at `path`, in config order, or the problems found. */
export function resolvePlainUsers(
  provider: Mapping,
  path: Path,
  context: UserContext,
): { users: PlainUser[]; diagnostics: Diagnostic[] } {
  const users: PlainUser[] = []
  const diagnostics: Diagnostic[] = []
  const fail = (at: Path, message: string) =>
    diagnostics.push({
      severity: 'error',
      path: at,
      where: valueLocation(context.doc, at),
      message,
    })

  const listed = Array.isArray(provider.users) ? provider.users : []
  listed.forEach((user: unknown, index) => {
    if (!isMapping(user) || typeof user.username !== 'string') return
    const roles = stringList(user.roles)
    if (typeof user.password === 'string' && user.password_hash === undefined) {
      users.push({ username: user.username, verifier: plainVerifier(user.password), clearText: user.password, roles })
    } else if (typeof user.password_hash === 'string' && user.password === undefined) {
      const at = [...path, 'users', index, 'password_hash']
      try {
        users.push({
          username: user.username,
          verifier: parseStoredPassword(user.password_hash),
          roles,
        })
      } catch (error) {
        fail(at, (error as Error).message)
      }
    }
  })

  if (typeof provider.htpasswd_file === 'string') {
    const at = [...path, 'htpasswd_file']
    const file = resolve(context.baseDir, provider.htpasswd_file)
    const shown = shownName(file, context.cwd)
    const roles = stringList(provider.htpasswd_roles)
    let text: string | undefined
    try {
      text = readFileSync(file, 'utf8')
    } catch (error) {
      fail(at, `cannot read ${shown}: ${describeIoError(error)}`)
    }
    if (text !== undefined) {
      try {
        for (const entry of parseHtpasswd(text, shown)) {
          const listed: PlainUser = { username: entry.username, verifier: entry.verifier, roles: [...roles] }
          if (entry.clearText !== undefined) listed.clearText = entry.clearText
          users.push(listed)
        }
      } catch (error) {
        fail(at, (error as Error).message)
      }
    }
  }
  return { users, diagnostics }
}

function stringList(value: unknown): string[] {
  return Array.isArray(value)
    ? value.filter((item): item is string => typeof item === 'string')
    : []
}

function shownName(file: string, cwd: string): string {
  const shown = relative(cwd, file)
  if (shown === '') return '.'
  return isAbsolute(shown) ? file : shown
}
