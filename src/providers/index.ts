/**
 * The runtime's provider registry: config `type` → a function returning the type's runtime half
 * (src/providers/<type>/runtime.ts). The compile half is registered in src/compiler/units.ts, which
 * the njs bundle never imports. Adding a provider = its folder + one line here + one line there
 * (docs/architecture.md). Modules a Basic request does not need are lazy units (`*.load.ts`, see
 * src/njs/core.load.ts), instantiated by the first request that reaches them.
 */
import type { ProviderModule } from './types'
import loadJwt from './jwt/runtime.load'
import loadEcmwfApi from './ecmwf-api/runtime.load'
import loadEfasApi from './efas-api/runtime.load'
import { plainProvider } from './plain/runtime'
import loadTokenStore from './token-store/runtime.load'
import loadOpenIdOffline from './openid-offline/runtime.load'
import loadEcmwfTokenGenerator from './ecmwf-token-generator/runtime.load'

export const providerModules: { [type: string]: (() => ProviderModule<any>) | undefined } = {
  plain: () => plainProvider,
  jwt: () => loadJwt().jwtProvider,
  'ecmwf-api': () => loadEcmwfApi().ecmwfApiProvider,
  'efas-api': () => loadEfasApi().efasApiProvider,
  /** Not a `providers:` type: the compiler appends it when `store.enabled` (§4.7). */
  'token-store': () => loadTokenStore().tokenStoreProvider,
  'openid-offline': () => loadOpenIdOffline().openIdOfflineProvider,
  'ecmwf-token-generator': () => loadEcmwfTokenGenerator().ecmwfTokenGeneratorProvider,
}
