/** `type: plain` augmenter → CompiledPlainAugmenter: its roles in YAML order. */
import type { Mapping } from '../../compiler/paths'
import { orderedKeys } from '../../compiler/source'
import type { AugmenterCompiler } from '../../compiler/unit'
import type { CompiledPlainAugmenter } from './compiled'
import { plainAugmenterSchema } from './schema'

export const plainAugmenterCompiler: AugmenterCompiler<CompiledPlainAugmenter> = {
  schema: plainAugmenterSchema,
  compile({ augmenter, common, path, doc }) {
    const roles = augmenter.roles as Mapping
    return {
      ...common,
      type: 'plain',
      roles: orderedKeys(doc, [...path, 'roles'], roles).map((role) => [
        role,
        [...(roles[role] as string[])],
      ]),
    }
  },
  check(_augmenter, path, report) {
    report(
      'note',
      path,
      'the plain augmenter is deprecated in the reference; plain_advanced does the same and more',
    )
  },
  static: true,
}
