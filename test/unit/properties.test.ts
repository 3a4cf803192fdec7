/**
 * A seeded slice of the property targets of fuzz/properties.ts on every `npm test` (issue 19,
 * point 1); `npm run fuzz` runs ≥ 100,000 cases of each with a fresh seed.
 */
import test from 'ava'
import { PROPERTY_TARGETS } from '../../fuzz/properties'

/** Cases per target here: enough to reach every arm of the generators, small enough for seconds. */
const SLICE: { [name: string]: number } = { config: 300, verification: 1500 }
const DEFAULT_SLICE = 3000
const SEED = 19

for (const target of PROPERTY_TARGETS) {
  const key = Object.keys(SLICE).find((word) => target.name.includes(word))
  const runs = key === undefined ? DEFAULT_SLICE : SLICE[key]
  test(`${target.name}: ${runs} seeded cases`, async (t) => {
    await target.run(runs, SEED)
    t.pass()
  })
}
