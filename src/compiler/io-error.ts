/** `no such file or directory` rather than `ENOENT: no such file or directory, open '…'`. */
export function describeIoError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code
  const known: { [code: string]: string } = {
    ENOENT: 'no such file or directory',
    EACCES: 'permission denied',
    EISDIR: 'is a directory',
    ENOTDIR: 'a parent is not a directory',
  }
  if (code !== undefined && Object.hasOwn(known, code)) return known[code]
  return error instanceof Error ? error.message : String(error)
}
