/**
 * Where each value of a configuration came from — a YAML position or an `AOT_` environment
 * variable — so that every message can point at it. Built by yaml.ts and updated by the
 * environment overrides (load.ts); read by diagnostics.
 */
import { isMapping, Mapping, Path, pathKey } from './paths'

export type SourceLocation =
  { kind: 'file'; file: string; line: number; col: number } | { kind: 'env'; variable: string }

/** The position of a value and, for a mapping entry, of its key. */
export interface NodeOrigin {
  value?: SourceLocation
  key?: SourceLocation
}

export interface LocatedDocument {
  /** The document as plain JSON-like data (mappings are plain objects). */
  data: Mapping
  origins: Map<string, NodeOrigin>
  /** Every mapping's keys in source order: JS objects would put integer-like keys first. */
  keyOrder: Map<string, string[]>
  /** The file the document was read from, if any (used for the top level's position). */
  file?: string
}

export function emptyDocument(file?: string): LocatedDocument {
  return { data: {}, origins: new Map(), keyOrder: new Map(), file }
}

export function formatLocation(location: SourceLocation): string {
  return location.kind === 'file'
    ? `${location.file}:${location.line}:${location.col}`
    : `env ${location.variable}`
}

/** Where a value is: its own position, else its key's, else the nearest ancestor's. */
export function valueLocation(doc: LocatedDocument, path: Path): SourceLocation | undefined {
  for (let length = path.length; length >= 0; length--) {
    const origin = doc.origins.get(pathKey(path.slice(0, length)))
    const location = origin?.value ?? origin?.key
    if (location !== undefined) return location
  }
  return undefined
}

/** Where a key is (for unknown keys): its key's position, else its value's. */
export function keyLocation(doc: LocatedDocument, path: Path): SourceLocation | undefined {
  const origin = doc.origins.get(pathKey(path))
  return origin?.key ?? valueLocation(doc, path)
}

/**
 * Where to report a key missing from the mapping at `parentPath`: the line that opens that
 * mapping, i.e. its own key (`jwt:`) when it has one, else the mapping itself (a list item).
 */
export function missingKeyLocation(
  doc: LocatedDocument,
  parentPath: Path,
): SourceLocation | undefined {
  const origin = doc.origins.get(pathKey(parentPath))
  return origin?.key ?? valueLocation(doc, parentPath)
}

/** The keys of the mapping at `path`, in source order. */
export function orderedKeys(doc: LocatedDocument, path: Path, mapping: Mapping): string[] {
  const recorded = doc.keyOrder.get(pathKey(path)) ?? []
  const keys = recorded.filter((key) => Object.hasOwn(mapping, key))
  for (const key of Object.keys(mapping)) if (!keys.includes(key)) keys.push(key)
  return keys
}

/** Forgets the origins and key orders recorded at `path` and below (its value was replaced). */
export function forgetBelow(doc: LocatedDocument, path: Path): void {
  const own = pathKey(path)
  const childPrefix = `${own.slice(0, -1)}${path.length === 0 ? '' : ','}`
  for (const map of [doc.origins, doc.keyOrder] as Map<string, unknown>[]) {
    for (const key of [...map.keys()]) {
      if (key === own || key.startsWith(childPrefix)) map.delete(key)
    }
  }
}

/** Records `location` as the origin of `value` at `path` and of everything inside it. */
export function recordOrigin(
  doc: LocatedDocument,
  path: Path,
  value: unknown,
  location: SourceLocation,
): void {
  const key = pathKey(path)
  doc.origins.set(key, { ...doc.origins.get(key), value: location })
  if (Array.isArray(value)) {
    value.forEach((item, index) => recordOrigin(doc, [...path, index], item, location))
  } else if (isMapping(value)) {
    const order = doc.keyOrder.get(key) ?? []
    for (const child of Object.keys(value)) {
      if (!order.includes(child)) order.push(child)
      doc.origins.set(pathKey([...path, child]), { key: location })
      recordOrigin(doc, [...path, child], value[child], location)
    }
    doc.keyOrder.set(key, order)
  }
}
