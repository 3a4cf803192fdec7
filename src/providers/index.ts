/** Provider registry: config `type` → module. Adding a provider = one file + one line here. */
import type { ProviderModule } from './types'
import { jwtProvider } from './jwt'
import { plainProvider } from './plain'

export const providerModules: { [type: string]: ProviderModule<any> | undefined } = {
  plain: plainProvider,
  jwt: jwtProvider,
}
