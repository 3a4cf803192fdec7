/**
 * Writes a file so that readers see the old content or the new, never half of it: a temporary
 * file in the same directory (so the rename stays on one file system), flushed, then renamed over
 * the target. nginx may reload at any moment and must not preload a torn file.
 */
import { closeSync, fchmodSync, fchownSync, fsyncSync, openSync, renameSync, rmSync, statSync, writeSync } from 'node:fs'
import { randomBytes } from 'node:crypto'
import { basename, dirname, join, resolve } from 'node:path'

/**
 * `mode` 0600 by default: compiled configs hold the JWT secret and password hashes. `owner`: the
 * new file's uid and gid (see keepingAccess).
 */
export function writeFileAtomic(target: string, content: string, mode = 0o600, owner?: { uid: number; gid: number }): void {
  const absolute = resolve(target)
  const temporary = join(
    dirname(absolute),
    `.${basename(absolute)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`,
  )
  const fd = openSync(temporary, 'wx', mode)
  try {
    try {
      writeSync(fd, content)
      if (owner !== undefined) fchownSync(fd, owner.uid, owner.gid)
      fchmodSync(fd, mode) // open()'s mode is filtered by the umask; this one is not
      fsyncSync(fd)
    } finally {
      closeSync(fd)
    }
    renameSync(temporary, absolute)
  } catch (error) {
    rmSync(temporary, { force: true })
    throw error
  }
}

/**
 * The mode and owner of `target` as it is, for a rewrite that must not change who may read it
 * (an operator's `chgrp www-data config.json && chmod 0640 config.json`, which QuickJS workers
 * need); 0600 and the writer's own when it does not exist yet.
 */
export function keepingAccess(target: string): { mode: number; owner?: { uid: number; gid: number } } {
  try {
    const stat = statSync(target)
    return { mode: stat.mode & 0o777, owner: { uid: stat.uid, gid: stat.gid } }
  } catch {
    return { mode: 0o600 }
  }
}
