/**
 * Issue 13: njs 0.7.9 leaks ~17 bytes of worker memory per request for every `js_preload_object`
 * whose name is longer than 14 characters (docs/benchmarks.md, "Worker memory"). No name we show
 * operators, or use ourselves, may be longer: the README, docs/, nginx/, tests, bench, the compose
 * file and src/ (comments and messages) are read for `js_preload_object NAME from` and
 * `` `js_preload_object NAME` ``.
 */
import test from 'ava'
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { REPO_ROOT } from '../nginx-harness/paths'

const LONGEST_NAME = 14

/**
 * Where a longer name may appear, by exact text: the deprecated `authotron_config` (16), which the
 * module still reads for one release and tells its users to rename (src/njs/config-fallback.ts:
 * the notice it logs, and the comment on the declaration the notice is about).
 */
const ALLOWED = [
  {
    file: 'src/njs/config-fallback.ts',
    text: '`js_preload_object authotron_config` is deprecated',
  },
  {
    file: 'src/njs/config-fallback.ts',
    text: 'Declared by the deprecated `js_preload_object authotron_config from …;`',
  },
]

const PLACES = ['README.md', 'docker-compose.yml', 'docs', 'nginx', 'test', 'bench', 'src']
const TEXT_FILE = /\.(md|ts|mts|js|mjs|cjs|conf|ya?ml|json|txt|sh|lua)$|^[^.]+$/
const SKIPPED_FOLDERS = new Set(['node_modules', '.tmp'])

/** A name in a directive (`js_preload_object NAME from …`) or in prose (`` `js_preload_object NAME` ``). */
const MENTION = /js_preload_object\s+([A-Za-z_$][\w$]*)(?=\s+from\b|`)/g

interface Mention {
  file: string
  line: number
  name: string
  lineText: string
}

function filesUnder(path: string): string[] {
  if (!existsSync(path)) return []
  if (statSync(path).isFile()) return [path]
  return readdirSync(path, { withFileTypes: true }).flatMap((entry) => {
    if (entry.isDirectory())
      return SKIPPED_FOLDERS.has(entry.name) ? [] : filesUnder(join(path, entry.name))
    return TEXT_FILE.test(entry.name) ? [join(path, entry.name)] : []
  })
}

/** This file: its ALLOWED list quotes the exceptions. */
const THIS_FILE = 'test/unit/preload-names.test.ts'

function mentions(): Mention[] {
  return PLACES.flatMap((place) => filesUnder(join(REPO_ROOT, place))).flatMap((path) => {
    const file = relative(REPO_ROOT, path)
    if (file === THIS_FILE) return []
    return readFileSync(path, 'utf8')
      .split('\n')
      .flatMap((lineText, index) =>
        [...lineText.matchAll(MENTION)].map((match) => ({
          file,
          line: index + 1,
          name: match[1],
          lineText,
        })),
      )
  })
}

const isAllowed = (m: Mention) =>
  ALLOWED.some((allowed) => allowed.file === m.file && m.lineText.includes(allowed.text))

test(`every documented js_preload_object name has ${LONGEST_NAME} characters or fewer`, (t) => {
  const found = mentions()
  const tooLong = found.filter((m) => m.name.length > LONGEST_NAME && !isAllowed(m))
  t.deepEqual(
    tooLong.map((m) => `${m.file}:${m.line}: ${m.name} (${m.name.length} characters)`),
    [],
    'njs 0.7.9 leaks ~17 bytes per request for a preloaded object whose name is longer than 14 characters',
  )
  // The scan reads what it should: the README's own directive is among the mentions.
  t.true(found.some((m) => m.file === 'README.md' && m.name === 'authotron_cfg'))
})

test('each allowed exception still exists, so the list cannot hide a new mention', (t) => {
  const found = mentions()
  for (const allowed of ALLOWED) {
    t.true(
      found.some(
        (m) =>
          m.file === allowed.file &&
          m.lineText.includes(allowed.text) &&
          m.name.length > LONGEST_NAME,
      ),
      `${allowed.file} no longer says ${allowed.text}: remove it from ALLOWED`,
    )
  }
})
