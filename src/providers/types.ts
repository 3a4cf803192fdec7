import type { CompiledProvider } from '../config/compiled'
import type { Platform } from '../platform'
import type { User } from '../user'

export interface ProviderContext {
  platform: Platform
}

/**
 * One provider type. `authenticate` resolves with the user or throws/rejects with a coded error;
 * it may answer synchronously (a plain value), which lets the chain settle ties in config order.
 * Modules are stateless: the compiled provider entry carries everything, so nothing is built per
 * request.
 */
export interface ProviderModule<C extends CompiledProvider = CompiledProvider> {
  authenticate(provider: C, credential: string, ctx: ProviderContext): User | Promise<User>
}
