/**
 * `type: plain` → CompiledPlainProvider: its users (users.ts, read before any type compiles, since
 * the precomputed Basic grants need them too) filed by username.
 */
import { KEY_PREFIX } from '../../config/compiled'
import { setOwn } from '../../compiler/paths'
import type { ProviderCompiler } from '../../compiler/unit'
import type { CompiledPlainProvider, CompiledUserEntry } from './compiled'
import { plainProviderSchema } from './schema'

export const plainProviderCompiler: ProviderCompiler<CompiledPlainProvider> = {
  scheme: 'Basic',
  schema: plainProviderSchema,
  compile({ common, users }) {
    const byUsername: { [prefixedUsername: string]: CompiledUserEntry[] } = {}
    for (const user of users) {
      const key = KEY_PREFIX + user.username
      if (!Object.hasOwn(byUsername, key)) setOwn(byUsername, key, [])
      byUsername[key].push({ verifier: user.verifier, roles: user.roles })
    }
    return { ...common, type: 'plain', scheme: 'Basic', users: byUsername }
  },
  check(provider, path, report) {
    if (Array.isArray(provider.users) && provider.users.length === 0 && provider.htpasswd_file === undefined) {
      report('warning', [...path, 'users'], 'no users, so this provider accepts no credential')
    }
  },
}
