/**
 * The access-rule check as a lazy unit (see core.load.ts): instantiated only by a request whose
 * location sets `$authotron_require`. Under Node a plain import.
 */
import * as unit from './access-rule'

export default function load(): typeof unit {
  return unit
}
