/**
 * Key paths into a configuration document: `['providers', 1, 'users', 0, 'password']`, shown to
 * operators as `providers[1].users[0].password`. Numbers are list indices, strings mapping keys.
 */
export type Path = (string | number)[]

const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_-]*$/

/** `providers[1].users[0].password`; keys that are not identifier-like are quoted: `roles["a.b"]`. */
export function displayPath(path: Path): string {
  let text = ''
  for (const segment of path) {
    if (typeof segment === 'number') text += `[${segment}]`
    else if (PLAIN_KEY.test(segment)) text += text === '' ? segment : `.${segment}`
    else text += `[${JSON.stringify(segment)}]`
  }
  return text === '' ? 'top level' : text
}

/** A Map key for a path (paths are arrays, so they cannot be Map keys themselves). */
export function pathKey(path: Path): string {
  return JSON.stringify(path)
}

/** True when `path` is `prefix` or lies below it. */
export function isWithin(path: Path, prefix: Path): boolean {
  if (path.length < prefix.length) return false
  for (let i = 0; i < prefix.length; i++) if (path[i] !== prefix[i]) return false
  return true
}

/**
 * Turns an ajv instancePath (JSON Pointer, `/providers/1/users/0`) into a Path, using the data to
 * tell list indices from mapping keys that happen to be digits.
 */
export function pointerToPath(pointer: string, data: unknown): Path {
  if (pointer === '') return []
  const path: Path = []
  let node: unknown = data
  for (const raw of pointer.slice(1).split('/')) {
    const segment = raw.replace(/~1/g, '/').replace(/~0/g, '~')
    if (Array.isArray(node)) {
      const index = Number(segment)
      path.push(index)
      node = node[index]
    } else {
      path.push(segment)
      node = isMapping(node) ? node[segment] : undefined
    }
  }
  return path
}

/** The value at `path`, or undefined when any step is missing. */
export function valueAt(data: unknown, path: Path): unknown {
  let node = data
  for (const segment of path) {
    if (typeof segment === 'number') node = Array.isArray(node) ? node[segment] : undefined
    else node = isMapping(node) && Object.hasOwn(node, segment) ? node[segment] : undefined
  }
  return node
}

export type Mapping = { [key: string]: unknown }

/** A YAML mapping once converted: a plain object (never an array or null). */
export function isMapping(value: unknown): value is Mapping {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
}

/**
 * Sets an own property even for keys such as `__proto__`, which plain assignment would treat as
 * the prototype setter.
 */
export function setOwn(target: Mapping, key: string, value: unknown): void {
  Object.defineProperty(target, key, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  })
}
