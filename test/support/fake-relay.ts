/**
 * A RemoteCaller for unit tests that answers as hop 1 and the relay do (src/remote/relay.ts):
 * it opens the envelope, asks `respond` what the service says, and seals the answer under the
 * step's seal secret. `failure` answers as the relay does when nginx got no answer.
 */
import type { Platform, RemoteAnswer, RemoteCall, RemoteCaller } from '../../src/platform'
import type { CompiledRemoteStep } from '../../src/remote/compiled'
import { FAILURE_HEADER, sealAnswer, splitEnvelope } from '../../src/remote/relay'

export interface ServiceCall {
  uri: string
  query: string
  body: string
}

export type ServiceAnswer = { status: number; body: string } | { failure: 'timeout' | 'unreachable' | 'unresolved' | 'too-large' }

export function fakeRelay(
  platform: Platform,
  steps: CompiledRemoteStep[],
  respond: (call: ServiceCall) => ServiceAnswer | Promise<ServiceAnswer>,
  seen: RemoteCall[] = [],
): RemoteCaller {
  return {
    call(call: RemoteCall): Promise<RemoteAnswer> {
      seen.push(call)
      const step = steps.find((candidate) => call.uri.startsWith(candidate.location + '/'))
      if (step === undefined) return Promise.resolve({ status: 404, body: '<html>404</html>' })
      const envelope = call.body ?? ''
      const parts = splitEnvelope(envelope)!
      return Promise.resolve(respond({ uri: call.uri, query: parts.query, body: parts.body })).then((answer) => {
        if ('failure' in answer) {
          return { status: answer.failure === 'timeout' ? 504 : 502, body: '', failure: answer.failure }
        }
        return sealAnswer(platform.crypto.aead!, platform.crypto.hmacSha256Base64url, step.sealSecret, envelope, answer.body).then(
          (sealed) => ({ status: answer.status, body: sealed }),
        )
      })
    },
  }
}

export { FAILURE_HEADER }
