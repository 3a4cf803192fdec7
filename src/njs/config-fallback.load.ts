/**
 * config-fallback.ts as a lazy unit (see core.load.ts): only QuickJS and configs that still use
 * the deprecated preload name reach it.
 */
import * as unit from './config-fallback'

export default function load(): typeof unit {
  return unit
}
