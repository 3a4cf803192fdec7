/**
 * The problems a compilation reports, and their one text format:
 *
 *     providers[1].users[0].password (config.yaml:14:7): expected a string
 *     jwt.secret (env AOT_JWT__SECRET): expected a non-empty string
 *     config.yaml:3:5: YAML: Map keys must be unique
 *
 * Errors stop the compilation; warnings and notes do not.
 */
import { displayPath, Path } from './paths'
import { formatLocation, SourceLocation } from './source'

export type Severity = 'error' | 'warning' | 'note'

export interface Diagnostic {
  severity: Severity
  /** The key path the problem is about; absent for problems of the file as a whole. */
  path?: Path
  where?: SourceLocation
  message: string
}

export function formatDiagnostic(diagnostic: Diagnostic): string {
  const where = diagnostic.where === undefined ? undefined : formatLocation(diagnostic.where)
  if (diagnostic.path === undefined) {
    return where === undefined ? diagnostic.message : `${where}: ${diagnostic.message}`
  }
  const subject = displayPath(diagnostic.path)
  return where === undefined
    ? `${subject}: ${diagnostic.message}`
    : `${subject} (${where}): ${diagnostic.message}`
}

/**
 * Document order: file positions by line and column, then values from the environment by
 * variable name; problems with no position (the top level of an absent file) come first. Stable,
 * so problems at the same place keep the order they were found in.
 */
export function sortDiagnostics(diagnostics: Diagnostic[]): Diagnostic[] {
  const rank = (d: Diagnostic): [number, number, number, string] => {
    if (d.where === undefined) return [0, 0, 0, '']
    if (d.where.kind === 'file') return [1, d.where.line, d.where.col, d.where.file]
    return [2, 0, 0, d.where.variable]
  }
  return diagnostics
    .map((diagnostic, index) => ({ diagnostic, index, rank: rank(diagnostic) }))
    .sort((a, b) => {
      for (let i = 0; i < 3; i++) {
        const difference = (a.rank[i] as number) - (b.rank[i] as number)
        if (difference !== 0) return difference
      }
      return a.rank[3] < b.rank[3] ? -1 : a.rank[3] > b.rank[3] ? 1 : a.index - b.index
    })
    .map((entry) => entry.diagnostic)
}

/** Formats, sorts and drops exact repeats (the same problem reached twice through the schema). */
export function formatAll(diagnostics: Diagnostic[]): string[] {
  const seen = new Set<string>()
  const lines: string[] = []
  for (const diagnostic of sortDiagnostics(diagnostics)) {
    const line = formatDiagnostic(diagnostic)
    if (!seen.has(line)) {
      seen.add(line)
      lines.push(line)
    }
  }
  return lines
}
