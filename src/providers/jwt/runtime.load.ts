/**
 * The jwt provider as a lazy unit (see src/njs/core.load.ts): a Basic request never instantiates
 * JWS, JWK and claim handling. Under Node it is a plain import.
 */
import * as unit from './runtime'

export default function load(): typeof unit {
  return unit
}
