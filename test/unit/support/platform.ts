/** A Platform for unit tests: Node's crypto, a settable clock, real timers, a recording logger. */
import { createHash, createHmac, pbkdf2Sync } from 'node:crypto'
import type { Crypto, LogLevel, Platform } from '../../../src/platform'

export const testCrypto: Crypto = {
  digest(algorithm, parts) {
    const hash = createHash(algorithm)
    for (const part of parts) hash.update(part)
    return new Uint8Array(hash.digest())
  },
  hmacSha256Base64url(key, data) {
    return createHmac('sha256', key).update(data).digest('base64url')
  },
  async pbkdf2(password, salt, iterations, hash, length) {
    const digest = hash.replace('-', '').toLowerCase()
    return new Uint8Array(pbkdf2Sync(password, salt, iterations, length, digest))
  },
}

export interface LogEntry {
  level: LogLevel
  event: string
  fields?: { [key: string]: string | number | boolean }
}

export interface TestPlatform extends Platform {
  logs: LogEntry[]
  now: number
}

export function testPlatform(now = 1_766_996_400): TestPlatform {
  const platform: TestPlatform = {
    now,
    logs: [],
    crypto: testCrypto,
    clock: { nowSeconds: () => platform.now },
    timers: {
      setTimeout: (callback, ms) => setTimeout(callback, ms),
      clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
    },
    logger: {
      log(level, event, fields) {
        platform.logs.push({ level, event, fields })
      },
    },
  }
  return platform
}
