/**
 * The core as a lazy unit: build.mjs turns every `*.load.ts` into a factory that instantiates its
 * unit on the first call, so a request answered by the top layer never pays for the core's
 * declarations (on the njs engine the bundle's top level runs again for every request). Under
 * Node it is a plain import.
 */
import * as unit from './core'

export default function load(): typeof unit {
  return unit
}
