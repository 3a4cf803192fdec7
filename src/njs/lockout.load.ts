/**
 * The brute-force lockout as a lazy unit (see core.load.ts): instantiated only by requests of a
 * config with `auth.lockout`. Under Node a plain import.
 */
import * as unit from './lockout'

export default function load(): typeof unit {
  return unit
}
