/** The efas-api provider as a lazy unit (see src/njs/core.load.ts). Under Node a plain import. */
import * as unit from './runtime'

export default function load(): typeof unit {
  return unit
}
