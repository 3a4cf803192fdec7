/**
 * Helpers for data that comes from `js_preload_object`: those objects are frozen and have a null
 * prototype, so array methods may be missing on njs. Index loops only.
 */
export function copyArray<T>(items: T[]): T[] {
  const copy: T[] = []
  for (let i = 0; i < items.length; i++) copy.push(items[i])
  return copy
}

export function contains<T>(items: T[], item: T): boolean {
  for (let i = 0; i < items.length; i++) if (items[i] === item) return true
  return false
}
