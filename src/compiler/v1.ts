/**
 * Version 1.0.0 documents (authotron-behaviour.md §2.13): the same keys as 2.0.0 except that a
 * single `bind_address: "host:port"` stands for `server` and `metrics`. The conversion and its
 * error texts are the reference's; inside NGINX the address itself is inert (notes.ts).
 */
import type { Diagnostic } from './diagnostics'
import { Mapping } from './paths'
import { LocatedDocument, valueLocation } from './source'

/** The `metrics` every converted document gets, as in the reference. */
export const V1_METRICS = { enabled: true, port: 9090 } as const

export type BindAddress = { host: string; port: number }

/**
 * Splits at the last `:`; strips leading `[` and trailing `]` from the host (so `[::1]:3000` and
 * `::1:3000` both give host `::1`); the port must be a u16.
 */
export function parseBindAddress(address: string): BindAddress | { error: string } {
  const colon = address.lastIndexOf(':')
  if (colon === -1) return { error: `bind_address must be in host:port format, got: ${address}` }
  const host = address.slice(0, colon).replace(/^\[+/, '').replace(/\]+$/, '')
  if (host === '') return { error: `bind_address has empty host, got: ${address}` }
  const portText = address.slice(colon + 1)
  // Rust's u16::from_str: ASCII digits with an optional leading `+`.
  const port = /^\+?[0-9]+$/.test(portText) ? Number(portText.replace(/^\+/, '')) : NaN
  if (!(port >= 0 && port <= 65535)) return { error: `invalid port in bind_address: ${address}` }
  return { host, port }
}

/**
 * The 2.0.0 form of a schema-valid 1.0.0 document: `bind_address` becomes `server`, `metrics` is
 * the reference's fixed default; every other key is carried over unchanged.
 */
export function convertV1(doc: LocatedDocument): { data?: Mapping; diagnostics: Diagnostic[] } {
  const { bind_address: address, ...rest } = doc.data
  const parsed = parseBindAddress(address as string)
  if ('error' in parsed) {
    return {
      diagnostics: [
        {
          severity: 'error',
          path: ['bind_address'],
          where: valueLocation(doc, ['bind_address']),
          message: parsed.error,
        },
      ],
    }
  }
  const data: Mapping = { ...rest, version: '2.0.0', server: parsed, metrics: { ...V1_METRICS } }
  return { data, diagnostics: [] }
}
