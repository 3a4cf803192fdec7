/** Builders for config documents in the config tests. */
import { fileURLToPath } from 'node:url'
import { compileConfig, CompileResult } from '../../../src/compiler/compile'
import type { Environment } from '../../../src/compiler/env'

export const FIXTURES = fileURLToPath(new URL('../../fixtures/config/', import.meta.url))

/** A valid 2.0.0 document, one top-level key per section (each a YAML snippet, in this order). */
export const VALID_SECTIONS = {
  version: 'version: 2.0.0',
  store: 'store: {enabled: false}',
  services: 'services: []',
  server: 'server: {port: 8080}',
  logging: 'logging: {level: info, format: json}',
  jwt: 'jwt: {iss: me, exp: 3600, secret: 0123456789abcdef0123456789abcdef}',
  providers:
    'providers:\n  - {type: plain, name: local, realm: r, users: [{username: a, password: b}]}',
  augmenters: '',
}

export type Sections = { [K in keyof typeof VALID_SECTIONS]?: string | null }

/**
 * The valid document with some sections replaced (`null` drops one). Lines, for positions:
 * version 1, store 2, services 3, server 4, logging 5, jwt 6, providers from 7 (when the earlier
 * sections are one line each), then augmenters.
 */
export function configText(changes: Sections = {}): string {
  const merged = { ...VALID_SECTIONS, ...changes }
  return (
    (Object.keys(VALID_SECTIONS) as (keyof typeof VALID_SECTIONS)[])
      .map((key) => merged[key])
      .filter((section): section is string => section !== null && section !== '')
      .join('\n') + '\n'
  )
}

/** Compiles YAML text named `config.yaml` whose relative paths start at the fixtures directory. */
export function compileText(text: string, env: Environment = {}): CompileResult {
  return compileConfig({ path: 'config.yaml', text, env, cwd: FIXTURES })
}
