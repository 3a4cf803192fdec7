/** config-file.ts as a lazy unit (see core.load.ts): only QuickJS reads the config from a file. */
import * as unit from './config-file'

export default function load(): typeof unit {
  return unit
}
