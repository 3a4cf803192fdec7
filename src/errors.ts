/**
 * Errors carry a stable `code` (tests match codes, never message text) and, for configuration
 * errors, the key `path`. A factory instead of `class … extends Error`: lowering for njs makes
 * `instanceof` on Error subclasses unreliable.
 */
export interface CodedError extends Error {
  code: string
  path?: string
}

export const ErrorCode = {
  /** The Authorization header breaks the grammar of §3.2 (too many parts, not two tokens). */
  HeaderInvalid: 'ERR_HEADER_INVALID',
  /** No credential was sent. */
  HeaderMissing: 'ERR_HEADER_MISSING',
  /** A Basic credential is not strict base64, not UTF-8, or has no username. */
  BasicMalformed: 'ERR_BASIC_MALFORMED',
  /** Username or password did not match. */
  BadCredentials: 'ERR_BAD_CREDENTIALS',
  /** A provider did not answer within auth.timeout_in_ms. */
  ProviderTimeout: 'ERR_PROVIDER_TIMEOUT',
  /** The compiled config names a provider type this build does not implement. */
  ProviderUnsupported: 'ERR_PROVIDER_UNSUPPORTED',
  /** The compiled config names an augmenter type this build does not implement. */
  AugmenterUnsupported: 'ERR_AUGMENTER_UNSUPPORTED',
  /** No provider accepted the credential. */
  AllFailed: 'ERR_ALL_FAILED',
  /** A stored password uses a form this build cannot verify. */
  PasswordFormUnsupported: 'ERR_PASSWORD_FORM_UNSUPPORTED',
  /** The compiled config is missing or of another format version. */
  ConfigFormat: 'ERR_CONFIG_FORMAT',
  /** Configuration rejected by the compiler. */
  ConfigInvalid: 'ERR_CONFIG_INVALID',
  /** The runtime lacks a feature the configuration needs. */
  RuntimeUnsupported: 'ERR_RUNTIME_UNSUPPORTED',
} as const

export type ErrorCodeValue = (typeof ErrorCode)[keyof typeof ErrorCode]

export function codedError(code: ErrorCodeValue, message: string, path?: string): CodedError {
  const error = new Error(message) as CodedError
  error.code = code
  if (path !== undefined) error.path = path
  return error
}

export function errorCode(error: unknown): string | undefined {
  return error !== null && typeof error === 'object' && typeof (error as CodedError).code === 'string'
    ? (error as CodedError).code
    : undefined
}
