import test from 'ava'
import { checkRegisteredClaims, ClaimRules, DEFAULT_LEEWAY_SECONDS } from '../../../src/jwt/claims'
import { errorCode, ErrorCode } from '../../../src/errors'

const NOW = 1_766_996_400
const rules: ClaimRules = { leeway: DEFAULT_LEEWAY_SECONDS }

function outcome(claims: object, r: ClaimRules = rules): string | number {
  try {
    return checkRegisteredClaims(claims as any, r, NOW)
  } catch (e) {
    return errorCode(e) as string
  }
}

const table: [string, object, ClaimRules, string | number][] = [
  ['exp in the future', { exp: NOW + 10 }, rules, NOW + 10],
  ['exp now', { exp: NOW }, rules, NOW],
  ['exp exactly leeway ago (accepted, as the reference)', { exp: NOW - 60 }, rules, NOW - 60],
  ['exp leeway + 1 ago', { exp: NOW - 61 }, rules, ErrorCode.JwtExpired],
  ['exp float rounds down', { exp: NOW - 60.4 }, rules, NOW - 60],
  ['exp float rounds up', { exp: NOW - 60.5 }, rules, NOW - 60],
  ['exp float rounds to expired', { exp: NOW - 61.4 }, rules, ErrorCode.JwtExpired],
  ['leeway 0', { exp: NOW - 1 }, { leeway: 0 }, ErrorCode.JwtExpired],
  ['leeway 300', { exp: NOW - 299 }, { leeway: 300 }, NOW - 299],
  ['exp missing', {}, rules, ErrorCode.JwtClaimInvalid],
  ['exp a string', { exp: String(NOW + 10) }, rules, ErrorCode.JwtClaimInvalid],
  ['exp null', { exp: null }, rules, ErrorCode.JwtClaimInvalid],
  ['exp negative', { exp: -1 }, rules, ErrorCode.JwtClaimInvalid],
  ['nbf in the past', { exp: NOW + 10, nbf: NOW - 10 }, rules, NOW + 10],
  ['nbf exactly leeway ahead', { exp: NOW + 100, nbf: NOW + 60 }, rules, NOW + 100],
  ['nbf leeway + 1 ahead', { exp: NOW + 100, nbf: NOW + 61 }, rules, ErrorCode.JwtNotYetValid],
  ['nbf float rounds into the leeway', { exp: NOW + 100, nbf: NOW + 60.4 }, rules, NOW + 100],
  ['nbf with leeway 0', { exp: NOW + 100, nbf: NOW + 1 }, { leeway: 0 }, ErrorCode.JwtNotYetValid],
  ['nbf a string', { exp: NOW + 100, nbf: 'soon' }, rules, ErrorCode.JwtClaimInvalid],
  ['issuer matches', { exp: NOW + 1, iss: 'https://idp/realms/a' }, { ...rules, issuers: ['https://idp/realms/a'] }, NOW + 1],
  ['issuer one of several', { exp: NOW + 1, iss: 'b' }, { ...rules, issuers: ['a', 'b'] }, NOW + 1],
  ['issuer differs', { exp: NOW + 1, iss: 'https://idp/realms/b' }, { ...rules, issuers: ['https://idp/realms/a'] }, ErrorCode.JwtIssuerMismatch],
  ['issuer differs in case', { exp: NOW + 1, iss: 'A' }, { ...rules, issuers: ['a'] }, ErrorCode.JwtIssuerMismatch],
  ['issuer missing', { exp: NOW + 1 }, { ...rules, issuers: ['a'] }, ErrorCode.JwtIssuerMismatch],
  ['issuer not configured: any iss', { exp: NOW + 1, iss: 42 }, rules, NOW + 1],
  ['audience string matches', { exp: NOW + 1, aud: 'api' }, { ...rules, audiences: ['api'] }, NOW + 1],
  ['audience array holds it', { exp: NOW + 1, aud: ['other', 'api'] }, { ...rules, audiences: ['api'] }, NOW + 1],
  ['audience one of several', { exp: NOW + 1, aud: 'b' }, { ...rules, audiences: ['a', 'b'] }, NOW + 1],
  ['audience differs', { exp: NOW + 1, aud: 'account' }, { ...rules, audiences: ['api'] }, ErrorCode.JwtAudienceMismatch],
  ['audience array lacks it', { exp: NOW + 1, aud: ['account', 7] }, { ...rules, audiences: ['api'] }, ErrorCode.JwtAudienceMismatch],
  ['audience missing', { exp: NOW + 1 }, { ...rules, audiences: ['api'] }, ErrorCode.JwtAudienceMismatch],
  ['audience not configured: any aud', { exp: NOW + 1, aud: 'whatever' }, rules, NOW + 1],
  ['expiry is checked before the issuer', { exp: NOW - 100, iss: 'x' }, { ...rules, issuers: ['a'] }, ErrorCode.JwtExpired],
]
for (const [name, claims, r, expected] of table) {
  test(name, (t) => {
    t.is(outcome(claims, r), expected)
  })
}
