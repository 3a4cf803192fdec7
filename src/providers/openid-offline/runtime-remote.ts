/**
 * The two remote calls of a refresh-token provider over the remote-call layer. Until that layer is
 * part of this build, there is nothing to call: every token is refused with a clear code.
 */
import { codedError, ErrorCode } from '../../errors'
import type { ProviderContext } from '../types'
import type { RefreshTokenCalls } from './runtime-flow'

export interface RemoteBodies {
  validateBody: string
  exchangeBody: string
}

export function remoteCalls(_ctx: ProviderContext, _provider: unknown, _credential: string, _bodies: RemoteBodies): RefreshTokenCalls {
  const missing = () =>
    Promise.reject(codedError(ErrorCode.RuntimeUnsupported, 'this build has no remote-call layer'))
  return { validate: missing, exchange: missing }
}
