/** `type: plain_advanced` → CompiledPlainAdvancedAugmenter: match lists, roles, ordered attributes. */
import { isMapping, Mapping } from '../../compiler/paths'
import { orderedKeys } from '../../compiler/source'
import type { AugmenterCompiler } from '../../compiler/unit'
import type { CompiledPlainAdvancedAugmenter } from './compiled'
import { plainAdvancedAugmenterSchema } from './schema'

export const plainAdvancedAugmenterCompiler: AugmenterCompiler<CompiledPlainAdvancedAugmenter> = {
  schema: plainAdvancedAugmenterSchema,
  compile({ augmenter, common, path, doc }) {
    const match = augmenter.match as Mapping
    const augment = augmenter.augment as Mapping
    const attributes = isMapping(augment.attributes) ? augment.attributes : {}
    return {
      ...common,
      type: 'plain_advanced',
      matchUsernames: [...((match.username ?? []) as string[])],
      matchRoles: [...((match.role ?? []) as string[])],
      roles: [...((augment.roles ?? []) as string[])],
      attributes: orderedKeys(doc, [...path, 'augment', 'attributes'], attributes).map((key) => [
        key,
        attributes[key] as string,
      ]),
    }
  },
  check(augmenter, path, report) {
    if (isMapping(augmenter.match) && neverMatches(augmenter.match)) {
      report(
        'warning',
        [...path, 'match'],
        'neither username nor role lists anything, so this augmenter never applies',
      )
    }
  },
  static: true,
}

function neverMatches(match: Mapping): boolean {
  const empty = (list: unknown) => list === undefined || (Array.isArray(list) && list.length === 0)
  return empty(match.username) && empty(match.role)
}
