/** The jwt provider of a compiled config, typed. */
import type { CompiledConfig, CompiledJwtProvider } from '../../../../src/config/compiled'

export function jwtProviderFor(config: CompiledConfig, index: number): CompiledJwtProvider {
  const provider = config.providers[index]
  if (provider.type !== 'jwt') throw new Error(`providers[${index}] is a ${provider.type} provider`)
  return provider as CompiledJwtProvider
}
