/**
 * Provider registry: config `type` → a function returning the module. Adding a provider = one
 * file + one line here. Modules a Basic request does not need are lazy units (`*.load.ts`, see
 * src/njs/core.load.ts), instantiated by the first request that reaches them.
 */
import type { ProviderModule } from './types'
import loadJwt from './jwt.load'
import { plainProvider } from './plain'

export const providerModules: { [type: string]: (() => ProviderModule<any>) | undefined } = {
  plain: () => plainProvider,
  jwt: () => loadJwt().jwtProvider,
}
