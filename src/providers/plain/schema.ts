/** The YAML of `type: plain` (authotron-behaviour.md §2.5) with the password extensions. */
import { member, ref, string, UnitSchema } from '../../compiler/schema-parts'

export const plainProviderSchema: UnitSchema = {
  definition: 'PlainAuthConfig',
  defs: {
    PlainAuthConfig: {
      ...member('plain', [], {
        users: { type: 'array', items: ref('PlainUserEntry') },
        htpasswd_file: string(
          'Extension: an htpasswd file (relative to the config file) whose users follow `users`.',
        ),
        htpasswd_roles: {
          type: ['array', 'null'],
          items: { type: 'string' },
          description: 'Extension: the roles of every user of htpasswd_file (default none).',
        },
      }),
      allOf: [
        {
          anyOf: [{ required: ['users'] }, { required: ['htpasswd_file'] }],
          errorMessage: 'expected users, htpasswd_file or both',
        },
      ],
    },
    PlainUserEntry: {
      type: 'object',
      required: ['username'],
      properties: {
        username: string(),
        password: string('Clear text; exactly one of password and password_hash.'),
        password_hash: string(
          'Extension: a hashed password, e.g. from `authotron hash-password` ($pbkdf2-sha256$…).',
        ),
        roles: { type: ['array', 'null'], items: { type: 'string' } },
      },
      allOf: [
        {
          oneOf: [{ required: ['password'] }, { required: ['password_hash'] }],
          errorMessage: 'expected exactly one of password and password_hash',
        },
      ],
    },
  },
}
