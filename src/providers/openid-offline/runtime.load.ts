/**
 * The openid-offline provider as a lazy unit (see src/njs/core.load.ts): a request that never reaches it
 * never instantiates it. Under Node it is a plain import.
 */
import * as unit from './runtime'

export default function load(): typeof unit {
  return unit
}
