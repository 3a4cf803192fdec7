/**
 * The compiler's registry: config `type` → the compile half of each provider and augmenter type
 * this build implements (schema, compile step, checks). The runtime halves are registered in
 * src/providers/index.ts and src/augmenters/index.ts under the same types (a unit test checks the
 * two agree). Adding a type = its folder + one line here + one line there (docs/architecture.md).
 * The order is the order of the schema's type lists.
 */
import { plainProviderCompiler } from '../providers/plain/compile'
import { jwtProviderCompiler } from '../providers/jwt/compile'
import { ecmwfApiProviderCompiler } from '../providers/ecmwf-api/compile'
import { efasApiProviderCompiler } from '../providers/efas-api/compile'
import { openIdOfflineProviderCompiler } from '../providers/openid-offline/compile'
import { ecmwfTokenGeneratorProviderCompiler } from '../providers/ecmwf-token-generator/compile'
import { plainAugmenterCompiler } from '../augmenters/plain/compile'
import { plainAdvancedAugmenterCompiler } from '../augmenters/plain_advanced/compile'
import { ldapAugmenterCompiler } from '../augmenters/ldap/compile'
import type { AugmenterCompiler, ProviderCompiler } from './unit'

export const providerCompilers: { [type: string]: ProviderCompiler<any> } = {
  plain: plainProviderCompiler,
  jwt: jwtProviderCompiler,
  'ecmwf-api': ecmwfApiProviderCompiler,
  'efas-api': efasApiProviderCompiler,
  'openid-offline': openIdOfflineProviderCompiler,
  'ecmwf-token-generator': ecmwfTokenGeneratorProviderCompiler,
}

export const augmenterCompilers: { [type: string]: AugmenterCompiler<any> } = {
  plain: plainAugmenterCompiler,
  plain_advanced: plainAdvancedAugmenterCompiler,
  ldap: ldapAugmenterCompiler,
}

/** The compile half of `type`, if this build implements it. */
export function providerCompiler(type: unknown): ProviderCompiler | undefined {
  return typeof type === 'string' && Object.hasOwn(providerCompilers, type) ? providerCompilers[type] : undefined
}

export function augmenterCompiler(type: unknown): AugmenterCompiler | undefined {
  return typeof type === 'string' && Object.hasOwn(augmenterCompilers, type) ? augmenterCompilers[type] : undefined
}
