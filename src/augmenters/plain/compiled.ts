/** `type: plain` augmenter in the compiled JSON (part of the contract, src/config/compiled.ts). */
export interface CompiledPlainAugmenter {
  type: 'plain'
  name: string
  realm: string
  /** [role, usernames] pairs in YAML order. */
  roles: [string, string[]][]
}
