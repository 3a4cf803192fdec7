/**
 * The request-path half of src/passwords/ must run on njs 0.7.9 (docs/njs-runtime.md §2; its byte
 * conversions are src/encoding.ts, which decodes strictly before njs's lenient Buffer). The
 * build lowers syntax, but missing built-ins and Node modules would only fail inside nginx, so
 * they are checked here: statically, and by running the real code on the njs CLI when present.
 */
import test from 'ava'
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { runBench } from '../../../bench/passwords/run'

const RUNTIME_FILES = ['md5crypt.ts', 'verify.ts']

const FORBIDDEN: [string, RegExp][] = [
  ['a Node module', /from\s+['"]node:/],
  ['the Node-only compiler half', /from\s+['"]\.\/parse['"]/],
  ['Buffer (lenient base64 in njs)', /\bBuffer\b/],
  ['Map/Set/WeakMap (missing in njs 0.7.9)', /\bnew\s+(Map|Set|WeakMap)\b/],
  ['Array.from (missing in njs 0.7.9)', /\bArray\.from\b/],
  ['Object.fromEntries/hasOwn (missing in njs 0.7.9)', /\bObject\.(fromEntries|hasOwn)\b/],
  ['replaceAll (missing in njs 0.7.9)', /\.replaceAll\(/],
  ['flat/flatMap/at (missing in njs 0.7.9)', /\.(flat|flatMap|at)\(/],
  ['for…of (rejected by njs 0.7.9; lowered into iterator helpers)', /\bfor\s*\([^)]*\bof\b/],
  ['a class', /^\s*(export\s+)?class\s/m],
]

function withoutComments(source: string): string {
  return source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '')
}

for (const file of RUNTIME_FILES) {
  test(`src/passwords/${file} uses only what njs 0.7.9 has`, (t) => {
    const source = withoutComments(
      readFileSync(new URL(`../../../src/passwords/${file}`, import.meta.url), 'utf8'),
    )
    for (const [what, pattern] of FORBIDDEN) t.false(pattern.test(source), `${file} uses ${what}`)
  })
}

function njsAvailable(): boolean {
  try {
    execFileSync('njs', ['-v'], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}

const withNjs = njsAvailable() ? test : test.skip
withNjs('every form verifies right and wrong passwords correctly on the njs CLI', async (t) => {
  const results = await runBench({ njs: 'njs', quick: true, rounds: 1, minMs: 0, minRuns: 1 })
  t.deepEqual(
    results.map((result) => result.name),
    [
      'plain (sha256)',
      '{SHA}',
      '{SSHA}',
      '$apr1$ (md5crypt)',
      '$1$ (md5crypt)',
      'pbkdf2-sha256, 1,000 iterations',
    ],
  )
})
