/**
 * The remote relay (hop 2, remote-relay.ts) as a lazy unit (see src/njs/core.load.ts): only the
 * relay server's requests instantiate it. Under Node it is a plain import.
 */
import * as unit from './remote-relay'

export default function load(): typeof unit {
  return unit
}
