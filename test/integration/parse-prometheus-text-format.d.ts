/** parse-prometheus-text-format ships no types: what the metrics tests use of it. */
declare module 'parse-prometheus-text-format' {
  interface ParsedFamily {
    name: string
    help: string
    type: 'COUNTER' | 'GAUGE' | 'HISTOGRAM' | 'SUMMARY' | 'UNTYPED'
    metrics: unknown[]
  }
  export default function parsePrometheusTextFormat(text: string): ParsedFamily[]
}
