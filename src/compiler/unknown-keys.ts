/**
 * Unknown keys. The reference ignores them silently at every level (authotron-behaviour.md §2.1),
 * which turns a typo such as `provders:` into a confusing "required key missing". They stay
 * accepted here, but each one is a warning that names the key and the likeliest intended one.
 */
import type { Diagnostic } from './diagnostics'
import { isMapping, Path } from './paths'
import { applicableSchemas, childSchemas, keysInfo } from './schema-walk'
import type { JsonSchema } from './schema'
import { keyLocation, LocatedDocument, orderedKeys } from './source'

export function unknownKeyWarnings(doc: LocatedDocument): Diagnostic[] {
  const warnings: Diagnostic[] = []
  const walk = (value: unknown, path: Path, schemas: JsonSchema[]): void => {
    if (schemas.length === 0) return
    if (Array.isArray(value)) {
      value.forEach((item, index) =>
        walk(item, [...path, index], childSchemas(schemas, index, item)),
      )
      return
    }
    if (!isMapping(value)) return
    const keys = keysInfo(value, schemas)
    // With an unknown `type`, which keys belong is anyone's guess; the type itself is an error.
    if (keys.undecided) return
    for (const key of orderedKeys(doc, path, value)) {
      if (keys.openEnded || keys.known.includes(key)) {
        walk(value[key], [...path, key], childSchemas(schemas, key, value[key]))
        continue
      }
      const suggestion = closestKey(key, keys.known)
      warnings.push({
        severity: 'warning',
        path: [...path, key],
        where: keyLocation(doc, [...path, key]),
        message: `unknown key, ignored${suggestion === undefined ? '' : ` (did you mean '${suggestion}'?)`}`,
      })
    }
  }
  walk(doc.data, [], applicableSchemas(doc.data))
  return warnings
}

/**
 * The candidate nearest to `key` by edit distance (case, `-` versus `_` and one transposition
 * cost little), if near enough to be a plausible typo.
 */
export function closestKey(key: string, candidates: string[]): string | undefined {
  const normalise = (text: string) => text.toLowerCase().replace(/-/g, '_')
  const wanted = normalise(key)
  const allowed = wanted.length <= 3 ? 1 : wanted.length <= 9 ? 2 : 3
  let best: string | undefined
  let bestDistance = Infinity
  for (const candidate of candidates) {
    const distance = editDistance(wanted, normalise(candidate))
    if (distance <= allowed && distance < bestDistance) {
      best = candidate
      bestDistance = distance
    }
  }
  return best
}

/** Optimal string alignment distance: insertions, deletions, substitutions, adjacent swaps. */
export function editDistance(a: string, b: string): number {
  const rows: number[][] = []
  for (let i = 0; i <= a.length; i++) {
    rows.push([i])
    for (let j = 1; j <= b.length; j++) rows[i].push(i === 0 ? j : 0)
  }
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      let distance = Math.min(rows[i - 1][j] + 1, rows[i][j - 1] + 1, rows[i - 1][j - 1] + cost)
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        distance = Math.min(distance, rows[i - 2][j - 2] + 1)
      }
      rows[i][j] = distance
    }
  }
  return rows[a.length][b.length]
}
