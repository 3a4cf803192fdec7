/**
 * bench/results/ keeps one reference run and the profiles the docs quote; older runs live in git
 * history and are cited as `<commit>:bench/results/<file>`. Every reference to a result, in the
 * docs, the README and bench/, must point at a file that is there: in the tree, or in that commit.
 */
import test from 'ava'
import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const REPO = fileURLToPath(new URL('../../..', import.meta.url))
/** Where results are cited. bench/results/ itself too: a chart names its raw data file. */
const CITING = ['README.md', 'docs', 'bench', 'test/support', 'nginx']
const CITING_EXTENSIONS = /\.(md|ts|mjs|svg)$/

interface Reference {
  file: string
  /** The commit a history citation names, or undefined for a file in the tree. */
  commit?: string
  path: string
}

/** `bench/results/…` paths in a text; a placeholder (`<date>`, `${name}`) ends a path there. */
function resultReferences(file: string, text: string): Reference[] {
  const references: Reference[] = []
  const pattern = /(?:\b([0-9a-f]{7,40}):)?(bench\/results\/[A-Za-z0-9._/-]*)/g
  for (const match of text.matchAll(pattern)) {
    references.push({ file, commit: match[1], path: match[2].replace(/\.+$/, '') })
  }
  return references
}

function citingFiles(path: string): string[] {
  const full = join(REPO, path)
  if (!existsSync(full)) return []
  if (!statSync(full).isDirectory()) return CITING_EXTENSIONS.test(path) ? [path] : []
  return readdirSync(full).flatMap((name) => citingFiles(join(path, name)))
}

function allReferences(): Reference[] {
  return CITING.flatMap(citingFiles).flatMap((file) =>
    resultReferences(file, readFileSync(join(REPO, file), 'utf8')),
  )
}

function git(args: string[]) {
  return spawnSync('git', args, { cwd: REPO, encoding: 'utf8' })
}

test('resultReferences finds tree paths and history citations, not placeholders', (t) => {
  const text = [
    '[tables](../bench/results/2026-12-01-pm2.md), writes `bench/results/<date>.json`.',
    'in git history at commit `dd88174`: `dd88174:bench/results/2026-12-01-late.svg`.',
  ].join('\n')
  t.deepEqual(resultReferences('x.md', text), [
    { file: 'x.md', commit: undefined, path: 'bench/results/2026-12-01-pm2.md' },
    { file: 'x.md', commit: undefined, path: 'bench/results/' },
    { file: 'x.md', commit: 'dd88174', path: 'bench/results/2026-12-01-late.svg' },
  ])
})

test('every bench/results/ path cited in the tree exists', (t) => {
  const references = allReferences().filter((reference) => reference.commit === undefined)
  t.true(references.some((reference) => reference.file === join('docs', 'benchmarks.md')))
  const dead = references.filter((reference) => !existsSync(join(REPO, reference.path)))
  t.deepEqual(
    dead.map((reference) => `${reference.file}: ${reference.path}`),
    [],
    'dead references to bench/results/',
  )
})

const inGit = git(['rev-parse', '--is-shallow-repository']).stdout.trim() === 'false'
const historyTest = inGit ? test : test.skip
historyTest('every bench/results/ file cited from git history is in that commit', (t) => {
  const cited = allReferences().filter((reference) => reference.commit !== undefined)
  t.true(cited.length > 0)
  const missing = cited.filter(
    (reference) => git(['cat-file', '-e', `${reference.commit}:${reference.path}`]).status !== 0,
  )
  t.deepEqual(
    missing.map((reference) => `${reference.file}: ${reference.commit}:${reference.path}`),
    [],
    'citations of files their commit does not hold',
  )
})
