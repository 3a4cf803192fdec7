/**
 * `npm run fuzz`: every property target of fuzz/properties.ts with ≥ 100,000 generated cases
 * (issue 19, point 1), a fresh seed each run, the counts printed.
 *
 *   npm run fuzz                          every target, 100,000 cases each
 *   npm run fuzz -- --runs 1000000        more
 *   npm run fuzz -- --seed 42 --only jwt  replay one seed on the targets whose name contains "jwt"
 */
import { PROPERTY_TARGETS } from './properties'

const args = process.argv.slice(2)
const option = (name: string) => {
  const at = args.indexOf(name)
  return at === -1 ? undefined : args[at + 1]
}
const runs = Number(option('--runs') ?? 100_000)
const seed = Number(option('--seed') ?? (Date.now() ^ (Math.random() * 2 ** 31)) | 0)
const only = option('--only')

console.log(`fuzz: seed ${seed}, ${runs.toLocaleString('en')} cases per target`)
let failed = 0
let total = 0
for (const target of PROPERTY_TARGETS) {
  if (only !== undefined && !target.name.toLowerCase().includes(only.toLowerCase())) continue
  const started = Date.now()
  try {
    await target.run(runs, seed)
    total += runs
    console.log(`  ok    ${runs.toLocaleString('en')} cases  ${((Date.now() - started) / 1000).toFixed(1)} s  ${target.name}`)
  } catch (e) {
    failed++
    console.log(`  FAIL  ${target.name}\n${String((e as Error).message ?? e)}`)
  }
}
console.log(`fuzz: ${total.toLocaleString('en')} cases passed, ${failed} target(s) failed (seed ${seed})`)
process.exit(failed === 0 ? 0 : 1)
