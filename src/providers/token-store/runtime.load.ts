/**
 * The token-store provider as a lazy unit (see src/njs/core.load.ts): only a Bearer request of a
 * config with a token store instantiates it. Under Node it is a plain import.
 */
import * as unit from './runtime'

export default function load(): typeof unit {
  return unit
}
