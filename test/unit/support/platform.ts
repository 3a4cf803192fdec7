/** A Platform for unit tests: Node's crypto, a settable clock, real timers, a recording logger. */
import type { Crypto, LogLevel, Platform } from '../../../src/platform'
import { nodeCrypto } from '../../support/node-platform'

/** Node's crypto with njs's semantics (test/support/node-platform.ts). */
export const testCrypto: Crypto = nodeCrypto

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
    clock: { nowSeconds: () => platform.now, nowMilliseconds: () => platform.now * 1000 },
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
