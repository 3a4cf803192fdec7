/**
 * The two remote calls of a refresh-token provider (openid-offline, ecmwf-token-generator) over the
 * remote-call layer (src/remote/request.ts): nginx caches each answer for every worker, keyed by an
 * HMAC of the token, and coalesces concurrent misses. The key is an HMAC of the whole body (token,
 * client ids, the generator's client secret): everything the answer depends on besides the step's
 * URL and headers, which its location already stands for.
 */
import { callRemote } from '../../remote/request'
import type { CompiledRemoteMemo, CompiledRemoteStep } from '../../remote/compiled'
import { keepResult, recallKept } from '../../remote/memo'
import type { RemoteAnswer } from '../../platform'
import type { ProviderContext } from '../types'
import type { RefreshTokenCalls, RemoteReply } from './runtime-flow'

export interface RefreshTokenSteps {
  validation: CompiledRemoteStep
  recheck: CompiledRemoteStep
  exchange: CompiledRemoteStep
  /** Where the flow's result is kept (absent when the exchange is never cached). */
  kept?: CompiledRemoteMemo
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
  credential: string,
  bodies: RemoteBodies,
): RefreshTokenCalls {
  const platform = ctx.platform
  const call = (step: CompiledRemoteStep, body: string) =>
    callRemote(platform, step, { credential: body, body, provider: bodies.provider }).then((answer) => reply(answer, step))
  const memo = steps.kept
  return {
    validate: (recheck) => call(recheck ? steps.recheck : steps.validation, bodies.validateBody),
    exchange: () => call(steps.exchange, bodies.exchangeBody),
    kept:
      memo === undefined
        ? undefined
        : {
            recall: () => recallKept(platform, memo, credential),
            keep: (result, seconds) => keepResult(platform, memo, credential, result, seconds),
          },
  }
}

/** The answer, and when its cache stops serving it (sealed at + the step's lifetime). */
function reply(answer: RemoteAnswer, step: CompiledRemoteStep): RemoteReply {
  // Only a 200 is cached for the step's lifetime (src/remote/nginx-snippets.ts).
  const expires = answer.sealedAt === undefined || answer.status !== 200 ? undefined : answer.sealedAt + step.ttl * 1000
  return { status: answer.status, body: answer.body, expires }
}
