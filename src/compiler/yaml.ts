/**
 * YAML text → a LocatedDocument: plain data plus the line:column of every key and value. Uses
 * the `yaml` package's YAML 1.2 core schema, like the reference's serde_yaml: `yes`/`on` stay
 * strings and `version: 2.0.0` is a string. Anchors, aliases and `<<` merge keys are resolved.
 */
import { Document, isAlias, isMap, isScalar, isSeq, LineCounter, Node, parseDocument } from 'yaml'
import type { Diagnostic } from './diagnostics'
import { Mapping, Path, pathKey, setOwn } from './paths'
import { emptyDocument, LocatedDocument, SourceLocation } from './source'

export interface ParsedYaml {
  doc: LocatedDocument
  diagnostics: Diagnostic[]
}

/** `file` is the name shown in messages (`config.yaml:14:7`). */
export function parseYaml(text: string, file: string): ParsedYaml {
  const lineCounter = new LineCounter()
  const yamlDoc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true })
  const at = (offset: number): SourceLocation => ({
    kind: 'file',
    file,
    ...lineCounter.linePos(offset),
  })
  const diagnostics: Diagnostic[] = []
  for (const problem of [...yamlDoc.errors, ...yamlDoc.warnings]) {
    diagnostics.push({
      severity: problem.name === 'YAMLWarning' ? 'warning' : 'error',
      where: at(problem.pos[0]),
      message: `YAML: ${firstLine(problem.message)}`,
    })
  }
  const doc = emptyDocument(file)
  if (yamlDoc.errors.length > 0) return { doc, diagnostics }

  const root = yamlDoc.contents
  if (root === null || (isScalar(root) && root.value === null)) return { doc, diagnostics }
  const walker = new Walker(yamlDoc, doc, at)
  const data = walker.convert(root as Node, [])
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    diagnostics.push({
      severity: 'error',
      path: [],
      where: at(root.range?.[0] ?? 0),
      message: 'expected a mapping',
    })
    return { doc, diagnostics }
  }
  doc.data = data as Mapping
  return { doc, diagnostics }
}

class Walker {
  private readonly expanding = new Set<Node>()

  constructor(
    private readonly yamlDoc: Document,
    private readonly doc: LocatedDocument,
    private readonly at: (offset: number) => SourceLocation,
  ) {}

  /** Converts `node` (found at `path`) and records its position; `keyAt` is its key's position. */
  convert(node: Node | null, path: Path, keyAt?: SourceLocation): unknown {
    const key = pathKey(path)
    const where = node?.range ? this.at(node.range[0]) : undefined
    this.doc.origins.set(key, { key: keyAt, value: where })
    if (node === null) return null
    if (isAlias(node)) {
      // An alias reads as its anchor's value. The alias itself is reported at its own position,
      // values inside it where the anchor wrote them. A self-referencing anchor reads as null.
      const target = node.resolve(this.yamlDoc) as Node | undefined
      if (target === undefined || this.expanding.has(target)) return null
      this.expanding.add(target)
      const value = this.convert(target, path, keyAt)
      this.expanding.delete(target)
      this.doc.origins.set(key, { key: keyAt, value: where })
      return value
    }
    if (isSeq(node))
      return node.items.map((item, index) => this.convert(item as Node, [...path, index]))
    if (isMap(node)) {
      const mapping: Mapping = {}
      const order: string[] = []
      const merged: Node[] = []
      for (const pair of node.items) {
        const keyNode = pair.key as Node | null
        const name = keyText(keyNode)
        if (name === '<<' && isScalar(keyNode) && keyNode.source === '<<') {
          merged.push(pair.value as Node)
          continue
        }
        const keyWhere = keyNode?.range ? this.at(keyNode.range[0]) : where
        setOwn(mapping, name, this.convert(pair.value as Node | null, [...path, name], keyWhere))
        if (!order.includes(name)) order.push(name)
      }
      for (const source of merged) this.mergeInto(mapping, order, source, path)
      this.doc.keyOrder.set(key, order)
      return mapping
    }
    if (isScalar(node)) return node.value
    return null
  }

  /** `<<: *base` (or a list of them): copies keys the mapping does not set itself. */
  private mergeInto(mapping: Mapping, order: string[], source: Node, path: Path): void {
    const sources = isSeq(source) ? (source.items as Node[]) : [source]
    for (const item of sources) {
      const resolved = isAlias(item) ? (item.resolve(this.yamlDoc) as Node | undefined) : item
      if (!resolved || !isMap(resolved)) continue
      for (const pair of resolved.items) {
        const name = keyText(pair.key as Node | null)
        if (Object.hasOwn(mapping, name)) continue
        const keyNode = pair.key as Node | null
        const keyWhere = keyNode?.range ? this.at(keyNode.range[0]) : undefined
        setOwn(mapping, name, this.convert(pair.value as Node | null, [...path, name], keyWhere))
        order.push(name)
      }
    }
  }
}

/** Mapping keys as strings (`1: x` has the key "1"), as the reference's string-keyed maps do. */
function keyText(node: Node | null): string {
  if (node === null) return ''
  if (isScalar(node)) return node.value === null ? '' : String(node.value)
  return String(node)
}

function firstLine(message: string): string {
  const newline = message.indexOf('\n')
  return newline === -1 ? message : message.slice(0, newline)
}
