/**
 * The token routes' error answers (§7.5), apart from src/store/tokens.ts because the one place that
 * maps errors to responses (src/njs/context.ts) needs them on every route.
 */
import type { HttpAnswer } from '../auth/answers'
import { ErrorCode } from '../errors'

export function json(status: number, body: string): HttpAnswer {
  return { status, headers: [['Content-Type', 'application/json']], body }
}

/** DELETE of a token that is not the caller's, or of none (the reference answers 204 to both). */
export const TOKEN_NOT_FOUND: HttpAnswer = json(404, '{"error":"Token not found"}')

/**
 * The answer to a store error: 503 `{"error":"Token store is disabled"}` without a store (§7.5);
 * 503 `{"error":"Store error: <message>"}` when the store cannot answer or this nginx cannot hold
 * it (the reference's store-error body, with the status of a dependency that is down). Undefined
 * for any other error.
 */
export function storeFailureAnswer(code: string | undefined, message: string): HttpAnswer | undefined {
  if (code === ErrorCode.StoreDisabled) return json(503, '{"error":"Token store is disabled"}')
  if (code === ErrorCode.StoreUnavailable || code === ErrorCode.StoreUnsupported) {
    return json(503, JSON.stringify({ error: 'Store error: ' + message }))
  }
  return undefined
}
