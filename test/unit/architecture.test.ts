/**
 * The import rule of docs/architecture.md, checked on the import graph of src/: no cycles (type
 * imports included), and every import points down or sideways within a layer:
 *
 *   cli       src/cli/                                          may import compiler and below
 *   compiler  src/compiler/, a unit's compile side              may import runtime and below
 *   njs       src/njs/ (the boundary; what nginx loads)          may import runtime and below
 *   runtime   everything else: auth, jwt, passwords, a unit's runtime side, src/*.ts
 *   contract  src/config/compiled.ts, a unit's compiled.ts       may import only the contract
 *
 * A unit is a folder src/providers/<type>/ or src/augmenters/<type>/: its `compiled.ts` is
 * contract, `runtime.ts`, `runtime.load.ts` and `runtime-*.ts` are runtime, every other file is
 * compile side. Below the compiler no module may import a package or a `node:` module either: the
 * njs bundle is built from them, and njs has only its own built-ins.
 */
import test from 'ava'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import ts from 'typescript'

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
const SRC = join(REPO, 'src')

type Layer = 'contract' | 'runtime' | 'njs' | 'compiler' | 'cli'

/** What each layer may import. */
const MAY_IMPORT: { [layer in Layer]: Layer[] } = {
  contract: ['contract'],
  runtime: ['contract', 'runtime'],
  njs: ['contract', 'runtime', 'njs'],
  compiler: ['contract', 'runtime', 'compiler'],
  cli: ['contract', 'runtime', 'compiler', 'cli'],
}

/** Compile-time modules that live beside their runtime counterpart, outside src/compiler/. */
const COMPILE_TIME_ELSEWHERE = ['src/passwords/parse.ts', 'src/remote/compile.ts', 'src/remote/nginx-snippets.ts']

/** Contract modules outside src/config/ and the units: the remote-call layer's compiled step. */
const CONTRACT_ELSEWHERE = ['src/remote/compiled.ts']

/** The modules njs provides; the only non-relative imports allowed below the compiler. */
const NJS_BUILTINS = ['crypto', 'fs', 'querystring', 'buffer']

function layerOf(file: string): Layer {
  if (file === 'src/config/compiled.ts' || CONTRACT_ELSEWHERE.includes(file)) return 'contract'
  if (file.startsWith('src/cli/')) return 'cli'
  if (file.startsWith('src/njs/')) return 'njs'
  if (file.startsWith('src/compiler/')) return 'compiler'
  if (COMPILE_TIME_ELSEWHERE.includes(file)) return 'compiler'
  const unitFile = /^src\/(?:providers|augmenters)\/[^/]+\/([^/]+)$/.exec(file)
  if (unitFile !== null) {
    if (unitFile[1] === 'compiled.ts') return 'contract'
    if (/^runtime(?:\.load|-[\w-]+)?\.ts$/.test(unitFile[1])) return 'runtime'
    return 'compiler'
  }
  return 'runtime'
}

interface Graph {
  /** file (repo-relative) → the src files it imports */
  edges: Map<string, string[]>
  /** file → the packages and `node:` modules it imports */
  externals: Map<string, string[]>
}

function importGraph(root: string = SRC): Graph {
  const edges = new Map<string, string[]>()
  const externals = new Map<string, string[]>()
  for (const path of sourceFiles(root)) {
    const file = relative(REPO, path)
    const imported = ts.preProcessFile(readFileSync(path, 'utf8'), true, true).importedFiles
    const local: string[] = []
    const other: string[] = []
    for (const { fileName } of imported) {
      if (fileName.startsWith('.')) local.push(relative(REPO, resolveModule(dirname(path), fileName)))
      else other.push(fileName)
    }
    edges.set(file, local)
    externals.set(file, other)
  }
  return { edges, externals }
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) return sourceFiles(path)
    return name.endsWith('.ts') ? [path] : []
  })
}

function resolveModule(from: string, specifier: string): string {
  const base = resolve(from, specifier)
  for (const candidate of [base, `${base}.ts`, join(base, 'index.ts')]) {
    if (candidate.endsWith('.ts') && exists(candidate)) return candidate
  }
  throw new Error(`${relative(REPO, from)}: cannot resolve ${specifier}`)
}

function exists(path: string): boolean {
  try {
    return statSync(path).isFile()
  } catch {
    return false
  }
}

/** Every import that breaks the layer rule, as `from → to (layer → layer)`. */
function upwardImports(graph: Graph): string[] {
  const found: string[] = []
  for (const [file, imports] of graph.edges) {
    const layer = layerOf(file)
    for (const target of imports) {
      const targetLayer = layerOf(target)
      if (!MAY_IMPORT[layer].includes(targetLayer)) {
        found.push(`${file} → ${target} (${layer} may not import ${targetLayer})`)
      }
    }
  }
  for (const [file, names] of graph.externals) {
    const layer = layerOf(file)
    if (layer === 'compiler' || layer === 'cli') continue
    for (const name of names) {
      if (!NJS_BUILTINS.includes(name)) found.push(`${file} → ${name} (${layer} may import only njs built-ins)`)
    }
  }
  return found.sort()
}

/** Every import cycle, as `a → b → … → a` (Tarjan's strongly connected components). */
function importCycles(graph: Graph): string[] {
  let counter = 0
  const index = new Map<string, number>()
  const low = new Map<string, number>()
  const stack: string[] = []
  const onStack = new Set<string>()
  const cycles: string[] = []
  const visit = (file: string) => {
    index.set(file, counter)
    low.set(file, counter)
    counter++
    stack.push(file)
    onStack.add(file)
    for (const next of graph.edges.get(file) ?? []) {
      if (!index.has(next)) {
        visit(next)
        low.set(file, Math.min(low.get(file)!, low.get(next)!))
      } else if (onStack.has(next)) {
        low.set(file, Math.min(low.get(file)!, index.get(next)!))
      }
    }
    if (low.get(file) !== index.get(file)) return
    const component: string[] = []
    let member: string
    do {
      member = stack.pop()!
      onStack.delete(member)
      component.push(member)
    } while (member !== file)
    const selfImport = (graph.edges.get(file) ?? []).includes(file)
    if (component.length > 1 || selfImport) cycles.push(cyclePath(graph, component))
  }
  for (const file of [...graph.edges.keys()].sort()) if (!index.has(file)) visit(file)
  return cycles.sort()
}

/** One cycle through the component's first file (by name), for the message. */
function cyclePath(graph: Graph, component: string[]): string {
  const members = new Set(component)
  const start = [...component].sort()[0]
  const previous = new Map<string, string>()
  const queue = [start]
  while (queue.length > 0) {
    const file = queue.shift()!
    for (const next of graph.edges.get(file) ?? []) {
      if (next === start) {
        const path = [start]
        for (let at = file; at !== start; at = previous.get(at)!) path.splice(1, 0, at)
        return [...path, start].join(' → ')
      }
      if (members.has(next) && !previous.has(next)) {
        previous.set(next, file)
        queue.push(next)
      }
    }
  }
  return component.join(' → ')
}

test('src/ has no import cycle', (t) => {
  const cycles = importCycles(importGraph())
  t.deepEqual(
    cycles,
    [],
    'an import cycle: break it by moving what both sides need into a lower module ' +
      '(docs/architecture.md, "The import rule")',
  )
})

test('src/ imports point down the layers', (t) => {
  const upward = upwardImports(importGraph())
  t.deepEqual(
    upward,
    [],
    'an import against the layer rule: move the code to the layer it belongs to ' +
      '(docs/architecture.md, "The import rule")',
  )
})

test('the checks see a cycle and an upward import', (t) => {
  const graph: Graph = {
    edges: new Map([
      ['src/auth/a.ts', ['src/compiler/b.ts']],
      ['src/compiler/b.ts', ['src/auth/a.ts']],
      ['src/njs/c.ts', ['src/njs/c.ts']],
    ]),
    externals: new Map([['src/jwt/d.ts', ['node:crypto', 'crypto']]]),
  }
  t.deepEqual(importCycles(graph), [
    'src/auth/a.ts → src/compiler/b.ts → src/auth/a.ts',
    'src/njs/c.ts → src/njs/c.ts',
  ])
  t.deepEqual(upwardImports(graph), [
    'src/auth/a.ts → src/compiler/b.ts (runtime may not import compiler)',
    'src/jwt/d.ts → node:crypto (runtime may import only njs built-ins)',
  ])
})

test('unit files are put in their layer by name', (t) => {
  t.is(layerOf('src/providers/jwt/compiled.ts'), 'contract')
  t.is(layerOf('src/providers/jwt/runtime.ts'), 'runtime')
  t.is(layerOf('src/providers/jwt/runtime.load.ts'), 'runtime')
  t.is(layerOf('src/augmenters/plain/runtime-cache.ts'), 'runtime')
  t.is(layerOf('src/providers/jwt/schema.ts'), 'compiler')
  t.is(layerOf('src/providers/jwt/nginx-snippets.ts'), 'compiler')
  t.is(layerOf('src/providers/index.ts'), 'runtime')
})
