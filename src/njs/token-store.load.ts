/**
 * The token store's backends as a lazy unit (see src/njs/core.load.ts): only a request that uses
 * the store instantiates them. Under Node it is a plain import.
 */
import * as unit from './token-store'

export default function load(): typeof unit {
  return unit
}
