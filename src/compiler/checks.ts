/**
 * Checks beyond the schema: things that are valid but almost certainly not what the operator
 * wants, and the provider and augmenter types this build accepts but does not implement yet. The
 * checks of one implemented type are its unit's `check` (src/compiler/unit.ts).
 * Written defensively (each check skips values of the wrong shape, which the schema reports), so
 * that they run on every document and one run reports every problem.
 */
import { VERSION } from '../version'
import { checkAccessRules } from './access-rules'
import type { Diagnostic } from './diagnostics'
import { isMapping, Mapping, Path } from './paths'
import { AUGMENTER_TYPES, PROVIDER_TYPES } from './schema'
import { LocatedDocument, valueLocation } from './source'
import type { Report } from './unit'
import { augmenterCompiler, providerCompiler } from './units'
import { checkStore } from '../providers/token-store/compile'

/** RFC 7518 §3.2: an HS256 key must be at least as long as the hash, 256 bits. */
export const MIN_HS256_SECRET_BYTES = 32

export function checkDocument(doc: LocatedDocument): Diagnostic[] {
  const found: Diagnostic[] = []
  const report: Report = (severity, path, message) =>
    found.push({ severity, path, where: valueLocation(doc, path), message })
  const data = doc.data

  if (isMapping(data.jwt)) {
    const { exp, secret } = data.jwt
    if (typeof exp === 'number' && exp <= 0) {
      report(
        'warning',
        ['jwt', 'exp'],
        'minted tokens are already expired when issued (exp is a lifetime in seconds)',
      )
    }
    if (
      (data.jwt.alg === undefined || data.jwt.alg === 'HS256') &&
      typeof secret === 'string' &&
      secret !== '' &&
      Buffer.byteLength(secret) < MIN_HS256_SECRET_BYTES
    ) {
      report(
        'warning',
        ['jwt', 'secret'],
        `shorter than ${MIN_HS256_SECRET_BYTES} bytes: an HS256 key this short can be guessed offline from any minted token`,
      )
    }
  }

  if (isMapping(data.jwt) && Array.isArray(data.jwt.previous_secrets) && data.jwt.previous_secrets.length > 0 && !isMapping(data.session)) {
    report('warning', ['jwt', 'previous_secrets'], 'used only with `session` (our own tokens accepted back): without it nothing reads them')
  }
  if (isMapping(data.session) && data.session.cookie_secure === false) {
    report('note', ['session', 'cookie_secure'], 'the session cookie (a bearer token) also travels over plain http: for development only')
  }

  const providers = Array.isArray(data.providers) ? data.providers : undefined
  if (providers !== undefined && providers.length === 0) {
    report('warning', ['providers'], 'no providers: every request is answered 401')
  }
  const realms = new Set<unknown>()
  providers?.forEach((provider: unknown, index) => {
    if (!isMapping(provider)) return
    realms.add(provider.realm)
    const path = ['providers', index]
    const compiler = providerCompiler(provider.type)
    if (isKnown(PROVIDER_TYPES, provider.type) && compiler === undefined) {
      report(
        'warning',
        path,
        `${describe(provider, 'provider')} is not implemented by authotron-njs ${VERSION} yet; it rejects every credential`,
      )
    }
    compiler?.check?.(provider, path, report)
  })

  const augmenters = Array.isArray(data.augmenters) ? data.augmenters : []
  augmenters.forEach((augmenter: unknown, index) => {
    if (!isMapping(augmenter) || typeof augmenter.type !== 'string') return
    const path = ['augmenters', index]
    const compiler = augmenterCompiler(augmenter.type)
    if (isKnown(AUGMENTER_TYPES, augmenter.type) && compiler === undefined) {
      report(
        'warning',
        path,
        `${describe(augmenter, 'augmenter')} is not implemented by authotron-njs ${VERSION} yet; it adds nothing to any user`,
      )
    }
    if (
      providers !== undefined &&
      typeof augmenter.realm === 'string' &&
      !realms.has(augmenter.realm)
    ) {
      report(
        'warning',
        [...path, 'realm'],
        `no provider has realm '${augmenter.realm}' (realms are compared exactly), so this augmenter never runs`,
      )
    }
    compiler?.check?.(augmenter, path, report)
  })
  checkAccessRules(data, report)
  checkStore(data.store, report)
  return found
}

/** `ecmwf-api provider "ECMWF API Provider"`. */
function describe(member: Mapping, kind: string): string {
  const name = typeof member.name === 'string' ? ` ${JSON.stringify(member.name)}` : ''
  return `${String(member.type)} ${kind}${name}`
}

function isKnown(types: readonly string[], type: unknown): type is string {
  return typeof type === 'string' && types.includes(type)
}
