/**
 * Checks beyond the schema: things that are valid but almost certainly not what the operator
 * wants, and the provider and augmenter types this build accepts but does not implement yet.
 * Written defensively (each check skips values of the wrong shape, which the schema reports), so
 * that they run on every document and one run reports every problem.
 */
import { augmenterModules } from '../augmenters/index'
import { providerModules } from '../providers/index'
import { VERSION } from '../version'
import type { Diagnostic } from './diagnostics'
import { isMapping, Mapping, Path } from './paths'
import { AUGMENTER_TYPES, PROVIDER_TYPES } from './schema'
import { LocatedDocument, valueLocation } from './source'

/** Whether this build implements a type: the runtime's own registries decide. */
const isImplementedProvider = (type: string) => providerModules[type] !== undefined
const isImplementedAugmenter = (type: string) => augmenterModules[type] !== undefined

/** RFC 7518 §3.2: an HS256 key must be at least as long as the hash, 256 bits. */
export const MIN_HS256_SECRET_BYTES = 32

export function checkDocument(doc: LocatedDocument): Diagnostic[] {
  const found: Diagnostic[] = []
  const report = (severity: Diagnostic['severity'], path: Path, message: string) =>
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

  const providers = Array.isArray(data.providers) ? data.providers : undefined
  if (providers !== undefined && providers.length === 0) {
    report('warning', ['providers'], 'no providers: every request is answered 401')
  }
  const realms = new Set<unknown>()
  providers?.forEach((provider: unknown, index) => {
    if (!isMapping(provider)) return
    realms.add(provider.realm)
    const path = ['providers', index]
    if (isKnown(PROVIDER_TYPES, provider.type) && !isImplementedProvider(provider.type)) {
      report(
        'warning',
        path,
        `${describe(provider, 'provider')} is not implemented by authotron-njs ${VERSION} yet; it rejects every credential`,
      )
    }
    if (provider.type === 'jwt' && typeof provider.cert_uri === 'string' && /^http:/i.test(provider.cert_uri)) {
      report(
        'warning',
        [...path, 'cert_uri'],
        'keys fetched over plain http can be replaced by anyone on the network path; use https',
      )
    }
    if (
      provider.type === 'plain' &&
      Array.isArray(provider.users) &&
      provider.users.length === 0 &&
      provider.htpasswd_file === undefined
    ) {
      report('warning', [...path, 'users'], 'no users, so this provider accepts no credential')
    }
  })

  const augmenters = Array.isArray(data.augmenters) ? data.augmenters : []
  augmenters.forEach((augmenter: unknown, index) => {
    if (!isMapping(augmenter) || typeof augmenter.type !== 'string') return
    const path = ['augmenters', index]
    if (isKnown(AUGMENTER_TYPES, augmenter.type) && !isImplementedAugmenter(augmenter.type)) {
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
    if (augmenter.type === 'plain') {
      report(
        'note',
        path,
        'the plain augmenter is deprecated in the reference; plain_advanced does the same and more',
      )
    }
    if (
      augmenter.type === 'plain_advanced' &&
      isMapping(augmenter.match) &&
      neverMatches(augmenter.match)
    ) {
      report(
        'warning',
        [...path, 'match'],
        'neither username nor role lists anything, so this augmenter never applies',
      )
    }
    if (augmenter.type === 'ldap' && Array.isArray(augmenter.filters)) {
      augmenter.filters.forEach((filter: unknown, filterIndex) => {
        if (typeof filter === 'string' && !hasLdapComponent(filter)) {
          report(
            'warning',
            [...path, 'filters', filterIndex],
            'has no key=value component; the reference fails every lookup with such a filter',
          )
        }
      })
    }
  })
  return found
}

/** `ecmwf-api provider "ECMWF API Provider"`. */
function describe(member: Mapping, kind: string): string {
  const name = typeof member.name === 'string' ? ` ${JSON.stringify(member.name)}` : ''
  return `${String(member.type)} ${kind}${name}`
}

function neverMatches(match: Mapping): boolean {
  const empty = (list: unknown) => list === undefined || (Array.isArray(list) && list.length === 0)
  return empty(match.username) && empty(match.role)
}

/** The reference's filter parsing (§5.3): parts without `key=value` are dropped; none left fails. */
function hasLdapComponent(filter: string): boolean {
  return filter.split(',').some((part) => {
    const equals = part.indexOf('=')
    return equals > 0 && part.slice(0, equals).trim() !== '' && part.slice(equals + 1).trim() !== ''
  })
}

function isKnown(types: readonly string[], type: unknown): type is string {
  return typeof type === 'string' && types.includes(type)
}
