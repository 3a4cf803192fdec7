/**
 * Keys the reference needs or accepts that mean nothing inside NGINX, and what takes their place.
 * Each is accepted and reported once, as a note, when the document sets it (a few as warnings,
 * where the operator would otherwise expect a behaviour this module does not have).
 */
import type { Diagnostic, Severity } from './diagnostics'
import { isMapping, Mapping, Path } from './paths'
import { valueLocation, LocatedDocument } from './source'

export interface InertKey {
  /** Where the key lives; `*` stands for every list item. Shown as `providers[].iam_realm`. */
  pattern: string[]
  /** Narrows the key by the mapping holding it and its value (a provider type, a disabled store). */
  applies?: (holder: Mapping, value: unknown) => boolean
  severity: Severity
  text: string
}

export const INERT_KEYS: InertKey[] = [
  { pattern: ['server', 'host'], severity: 'note', text: "NGINX's `listen` decides the address" },
  { pattern: ['server', 'port'], severity: 'note', text: "NGINX's `listen` decides the port" },
  {
    pattern: ['bind_address'],
    severity: 'note',
    text: "NGINX's `listen` decides the address and port (the value is still checked as the reference does)",
  },
  {
    pattern: ['metrics', 'port'],
    severity: 'note',
    text: 'authotron-njs opens no metrics listener: put `location = /metrics { js_content authotron.endpoints.metrics; }` (and /health) in the NGINX `server` block that should serve them (README, "Metrics")',
  },
  {
    pattern: ['logging', 'format'],
    severity: 'note',
    text: "messages go to NGINX's error_log, in NGINX's format",
  },
  {
    pattern: ['logging', 'service_name'],
    severity: 'note',
    text: "NGINX's error_log lines carry no service name",
  },
  {
    pattern: ['logging', 'service_version'],
    severity: 'note',
    text: "NGINX's error_log lines carry no service version",
  },
  {
    pattern: ['services'],
    severity: 'note',
    text: 'read by nothing, here as in the reference',
  },
  {
    pattern: ['jwt', 'aud'],
    severity: 'note',
    text: 'ignored, here as in the reference: minted tokens carry no `aud` claim',
  },
  {
    pattern: ['providers', '*', 'iam_realm'],
    applies: (provider) => provider.type === 'jwt',
    severity: 'note',
    text: 'required by the reference but unused; `realm` names the realm',
  },
]

/** One diagnostic per inert key the document sets, at its first occurrence. */
export function inertKeyNotes(doc: LocatedDocument): Diagnostic[] {
  const diagnostics: Diagnostic[] = []
  for (const entry of INERT_KEYS) {
    const first = firstOccurrence(doc.data, entry, [])
    if (first === undefined) continue
    diagnostics.push({
      severity: entry.severity,
      path: first,
      where: entry.severity === 'note' ? undefined : valueLocation(doc, first),
      message: entry.text,
    })
  }
  return diagnostics
}

/** The display form of a pattern: `providers[].iam_realm`. */
export function patternText(pattern: string[]): string {
  return pattern
    .map((segment, i) => (segment === '*' ? '[]' : i === 0 ? segment : `.${segment}`))
    .join('')
}

function firstOccurrence(data: unknown, entry: InertKey, path: Path): Path | undefined {
  const depth = path.length
  const segment = entry.pattern[depth]
  if (segment === '*') {
    if (!Array.isArray(data)) return undefined
    for (let i = 0; i < data.length; i++) {
      const found = firstOccurrence(data[i], entry, [...path, i])
      if (found !== undefined) return found
    }
    return undefined
  }
  if (!isMapping(data) || !Object.hasOwn(data, segment)) return undefined
  if (depth === entry.pattern.length - 1) {
    return entry.applies === undefined || entry.applies(data, data[segment])
      ? [...path, segment]
      : undefined
  }
  return firstOccurrence(data[segment], entry, [...path, segment])
}
