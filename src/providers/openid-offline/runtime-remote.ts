/**
 * The two remote calls of a refresh-token provider (openid-offline, ecmwf-token-generator) over the
 * remote-call layer (src/remote/request.ts): nginx caches each answer for every worker, keyed by an
 * HMAC of the token, and coalesces concurrent misses. The key is an HMAC of the whole body (token,
 * client ids, the generator's client secret): everything the answer depends on besides the step's
 * URL and headers, which its location already stands for.
 */
import { callRemote } from '../../remote/request'
import type { CompiledRemoteStep } from '../../remote/compiled'
import type { ProviderContext } from '../types'
import type { RefreshTokenCalls } from './runtime-flow'

export interface RefreshTokenSteps {
  validation: CompiledRemoteStep
  recheck: CompiledRemoteStep
  exchange: CompiledRemoteStep
}

export interface RemoteBodies {
  validateBody: string
  exchangeBody: string
  /** The provider's name, for the log line of a failed call. */
  provider?: string
}

export function remoteCalls(
  ctx: ProviderContext,
  steps: RefreshTokenSteps,
  _credential: string,
  bodies: RemoteBodies,
): RefreshTokenCalls {
  const platform = ctx.platform
  return {
    validate: (recheck) =>
      callRemote(platform, recheck ? steps.recheck : steps.validation, {
        credential: bodies.validateBody,
        body: bodies.validateBody,
        provider: bodies.provider,
      }),
    exchange: () =>
      callRemote(platform, steps.exchange, {
        credential: bodies.exchangeBody,
        body: bodies.exchangeBody,
        provider: bodies.provider,
      }),
  }
}
