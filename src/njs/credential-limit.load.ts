/**
 * auth.max_basic_length's refusal as a lazy unit (see core.load.ts): instantiated only by a request
 * whose Authorization header is longer than the limit and may carry a Basic credential. Under Node
 * a plain import.
 */
import * as unit from './credential-limit'

export default function load(): typeof unit {
  return unit
}
