/**
 * `type: ldap` → CompiledLdapAugmenter: the snapshot `authotron ldap-sync` read (none from plain
 * `authotron compile`). The directory's address and bind password stay out of the compiled JSON:
 * only the sync reads them, from the YAML.
 */
import type { Mapping } from '../../compiler/paths'
import type { AugmenterCompiler } from '../../compiler/unit'
import type { CompiledLdapAugmenter, LdapSnapshot } from './compiled'
import { isInvalidFilter } from './roles'
import { ldapAugmenterSchema } from './schema'

export const LDAP_URI_SCHEMES = ['ldap:', 'ldaps:', 'ldapi:']

export const ldapAugmenterCompiler: AugmenterCompiler<CompiledLdapAugmenter> = {
  schema: ldapAugmenterSchema,
  compile({ common, external }) {
    return { ...common, type: 'ldap', snapshot: (external as LdapSnapshot | undefined) ?? null }
  },
  check(augmenter, path, report) {
    if (Array.isArray(augmenter.filters)) {
      augmenter.filters.forEach((filter: unknown, index) => {
        if (typeof filter === 'string' && isInvalidFilter(filter)) {
          report(
            'error',
            [...path, 'filters', index],
            `Invalid LDAP filter '${filter}': expected key=value segments (the reference fails every lookup with it)`,
          )
        }
      })
    }
    if (augmenter.bind_dn === undefined || augmenter.bind_dn === null) {
      report('warning', path, 'has no bind_dn: `authotron ldap-sync` cannot bind, so this augmenter adds no roles')
    }
    const uri = augmenter.uri
    if (typeof uri === 'string' && !LDAP_URI_SCHEMES.some((scheme) => uri.startsWith(scheme + '//'))) {
      report('warning', [...path, 'uri'], 'is not an ldap://, ldaps:// or ldapi:// URL: `authotron ldap-sync` cannot read it')
    }
    report(
      'note',
      path,
      'its roles come from `authotron ldap-sync`, which writes the compiled config with a snapshot of the directory; compiled without one, it adds no roles (docs/ldap.md)',
    )
  },
  static: (augmenter) => augmenter.snapshot !== null,
  listing: (augmenter) => ({ snapshot_taken_at: augmenter.snapshot === null ? null : augmenter.snapshot.takenAt }),
}

/** The keys `authotron ldap-sync` needs from one YAML item (schema-valid). */
export interface LdapDirectoryConfig {
  name: string
  uri: string
  searchBase: string
  bindDn: string | null
  password: string
  filter: string | null
  filters: string[] | null
}

export function ldapDirectoryConfig(augmenter: Mapping): LdapDirectoryConfig {
  return {
    name: augmenter.name as string,
    uri: augmenter.uri as string,
    searchBase: augmenter.search_base as string,
    bindDn: (augmenter.bind_dn as string | null | undefined) ?? null,
    password: augmenter.ldap_password as string,
    filter: (augmenter.filter as string | null | undefined) ?? null,
    filters: Array.isArray(augmenter.filters) ? [...(augmenter.filters as string[])] : null,
  }
}
