/**
 * Writes a file so that readers see the old content or the new, never half of it: a temporary
 * file in the same directory (so the rename stays on one file system), flushed, then renamed over
 * the target. nginx may reload at any moment and must not preload a torn file.
 */
import { closeSync, fchmodSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs'
import { randomBytes } from 'node:crypto'
import { basename, dirname, join, resolve } from 'node:path'

/** `mode` 0600 by default: compiled configs hold the JWT secret and password hashes. */
export function writeFileAtomic(target: string, content: string, mode = 0o600): void {
  const absolute = resolve(target)
  const temporary = join(
    dirname(absolute),
    `.${basename(absolute)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`,
  )
  const fd = openSync(temporary, 'wx', mode)
  try {
    try {
      writeSync(fd, content)
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
