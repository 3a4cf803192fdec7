/**
 * The token routes as a lazy unit (see src/njs/core.load.ts): the core's other routes never
 * instantiate the store. Under Node it is a plain import.
 */
import * as unit from './routes'

export default function load(): typeof unit {
  return unit
}
