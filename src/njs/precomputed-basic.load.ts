/**
 * The precomputed Basic path as a lazy unit (see core.load.ts): instantiated by a Basic request the
 * grant cache could not answer, when the config has precomputed grants. Under Node a plain import.
 */
import * as unit from './precomputed-basic'

export default function load(): typeof unit {
  return unit
}
