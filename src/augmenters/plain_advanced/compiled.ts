/** `type: plain_advanced` in the compiled JSON (part of the contract, src/config/compiled.ts). */
export interface CompiledPlainAdvancedAugmenter {
  type: 'plain_advanced'
  name: string
  realm: string
  matchUsernames: string[]
  matchRoles: string[]
  roles: string[]
  /** [key, value] pairs in YAML order. */
  attributes: [string, string][]
}
