/**
 * `type: ecmwf-token-generator` (Bearer), authotron-behaviour.md §4.6: only refresh tokens of the
 * ECMWF token generator, never the presented token as a JWT.
 *   1. validation: POST {token_generator_url}/validate-token, JSON `{"token", "client_id"}`; valid
 *      when `active` is true;
 *   2. exchange: POST …/admin/refresh-access-token, JSON `{"client_id", "client_secret",
 *      "refresh_token"}`; the answer's `access_token`;
 *   3. that access token verified as the jwt provider does (../openid-offline/runtime-flow.ts).
 */
import type { CompiledEcmwfTokenGeneratorProvider } from './compiled'
import type { ProviderContext, ProviderModule } from '../types'
import type { User } from '../../user'
import { FlowTexts, refreshTokenFlow } from '../openid-offline/runtime-flow'
import { remoteCalls } from '../openid-offline/runtime-remote'

export const TOKEN_GENERATOR_TEXTS: FlowTexts = {
  validateCall: 'Failed to call token validation endpoint',
  validateJson: 'Failed to parse validation JSON',
  notValid: 'Token is not valid according to ECMWF Token Generator',
  exchangeCall: 'Failed to exchange token via generator',
  exchangeJson: 'Failed to parse access token response',
  noAccessToken: 'Failed to retrieve access token from generator response',
  isValid: (answer) => answer.active === true,
}

export const ecmwfTokenGeneratorProvider: ProviderModule<CompiledEcmwfTokenGeneratorProvider> = {
  authenticate(provider: CompiledEcmwfTokenGeneratorProvider, credential: string, ctx: ProviderContext): Promise<User> {
    const calls = remoteCalls(
      ctx,
      { validation: provider.validation, recheck: provider.validationRecheck, exchange: provider.exchange, kept: provider.kept },
      credential,
      {
      provider: provider.name,
      validateBody: JSON.stringify({ token: credential, client_id: provider.clientId }),
      exchangeBody: JSON.stringify({
        client_id: provider.clientId,
        client_secret: provider.clientSecret,
        refresh_token: credential,
      }),
      },
    )
    return refreshTokenFlow(calls, TOKEN_GENERATOR_TEXTS, provider.validator, ctx)
  },
}
