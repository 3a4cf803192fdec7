/** The YAML of `type: ldap` augmenters (authotron-behaviour.md §2.12, §5.3). */
import { member, string, UnitSchema } from '../../compiler/schema-parts'

export const ldapAugmenterSchema: UnitSchema = {
  definition: 'LDAPAugmenterConfig',
  defs: {
    LDAPAugmenterConfig: member('ldap', ['uri', 'search_base', 'ldap_password'], {
      uri: string('ldap://, ldaps:// or ldapi:// URL of the directory; read by `authotron ldap-sync`.'),
      search_base: string(),
      ldap_password: string('The bind password; read by `authotron ldap-sync`, never compiled.'),
      filter: { type: ['string', 'null'] },
      filters: { type: ['array', 'null'], items: { type: 'string' } },
      bind_dn: { type: ['string', 'null'] },
    }),
  },
}
