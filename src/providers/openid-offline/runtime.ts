/**
 * `type: openid-offline` (Bearer; Keycloak/DESP offline tokens), authotron-behaviour.md §4.5:
 *   1. introspection: POST {iam_url}/realms/{realm}/protocol/openid-connect/token/introspect,
 *      Basic auth as the private client, form `token=…`; valid when `active` is true and `scope`
 *      contains `offline_access`;
 *   2. exchange: POST …/token, Basic auth as the private client, form `client_id=<public>`,
 *      `grant_type=refresh_token`, `refresh_token=…`; the answer's `access_token`;
 *   3. that access token verified as the jwt provider does (runtime-flow.ts).
 */
import type { CompiledOpenIdOfflineProvider } from './compiled'
import type { ProviderContext, ProviderModule } from '../types'
import type { User } from '../../user'
import { FlowTexts, formValue, refreshTokenFlow, RefreshTokenCalls } from './runtime-flow'
import { remoteCalls } from './runtime-remote'

export const OPENID_OFFLINE_TEXTS: FlowTexts = {
  validateCall: 'Failed to call introspection endpoint',
  validateJson: 'Failed to parse introspection JSON',
  notValid: 'Not a valid offline_access token',
  exchangeCall: 'Failed to exchange token',
  exchangeJson: 'Failed to parse access token JSON',
  noAccessToken: 'Failed to retrieve access token from response',
  isValid: (answer) =>
    answer.active === true && typeof answer.scope === 'string' && answer.scope.indexOf('offline_access') >= 0,
}

export const openIdOfflineProvider: ProviderModule<CompiledOpenIdOfflineProvider> = {
  authenticate(provider: CompiledOpenIdOfflineProvider, credential: string, ctx: ProviderContext): Promise<User> {
    const calls: RefreshTokenCalls = remoteCalls(
      ctx,
      { validation: provider.introspection, recheck: provider.introspectionRecheck, exchange: provider.exchange, kept: provider.kept },
      credential,
      {
      provider: provider.name,
      validateBody: 'token=' + formValue(credential),
      exchangeBody:
        'client_id=' + formValue(provider.publicClientId) +
        '&grant_type=refresh_token&refresh_token=' + formValue(credential),
      },
    )
    return refreshTokenFlow(calls, OPENID_OFFLINE_TEXTS, provider.validator, ctx)
  },
}
