/**
 * Augmentation (§3.6): the augmenters of the user's realm (exact match); the parallel group (every
 * type but plain_advanced) first — synchronous ones apply in config order, asynchronous ones as
 * they finish — then plain_advanced one after another in config order, each seeing what came
 * before. A failing augmenter is logged and never fails the request.
 */
import { CompiledAugmenter, CompiledConfig, KEY_PREFIX } from '../config/compiled'
import { augmenterModules } from '../augmenters/index'
import { codedError, errorCode, ErrorCode } from '../errors'
import { isPromise, MaybePromise, whenReady } from '../maybe-async'
import type { Platform } from '../platform'
import type { User } from '../user'
import { recordAugmenter } from './metrics'

export function augmentUser(config: CompiledConfig, user: User, platform: Platform): MaybePromise<User> {
  const plan = config.augmenterPlans[KEY_PREFIX + user.realm]
  if (plan === undefined) return user
  const inFlight: Promise<void>[] = []
  for (let i = 0; i < plan.parallel.length; i++) {
    const outcome = runAugmenter(config.augmenters[plan.parallel[i]], user, platform)
    if (outcome !== undefined) inFlight.push(outcome)
  }
  const afterParallel: MaybePromise<void> = inFlight.length === 0 ? undefined : settleAll(inFlight)
  return whenReady(afterParallel, () => runSerial(config, plan.serial, 0, user, platform))
}

function runSerial(
  config: CompiledConfig,
  indices: number[],
  start: number,
  user: User,
  platform: Platform,
): MaybePromise<User> {
  for (let i = start; i < indices.length; i++) {
    const outcome = runAugmenter(config.augmenters[indices[i]], user, platform)
    if (outcome !== undefined) {
      const next = i + 1
      return outcome.then(() => runSerial(config, indices, next, user, platform))
    }
  }
  return user
}

/** Runs one augmenter; returns a promise only when it is asynchronous. Never throws or rejects. */
function runAugmenter(augmenter: CompiledAugmenter, user: User, platform: Platform): Promise<void> | undefined {
  const startedMs = platform.metrics !== undefined ? platform.clock.nowMilliseconds() : 0
  // The realm before the augmenter ran (augmenters never change it; the label must not follow one that did).
  const realm = user.realm
  try {
    const module = augmenterModules[augmenter.type]
    if (module === undefined) {
      throw codedError(ErrorCode.AugmenterUnsupported, `augmenter type '${augmenter.type}' is not implemented`)
    }
    const outcome = module.augment(augmenter, user, { platform })
    if (isPromise(outcome))
      return outcome.then(
        () => record(platform, augmenter, realm, 'success', startedMs),
        (e) => {
          logFailure(platform, augmenter, e)
          record(platform, augmenter, realm, 'error', startedMs)
        },
      )
    record(platform, augmenter, realm, 'success', startedMs)
  } catch (e) {
    logFailure(platform, augmenter, e)
    record(platform, augmenter, realm, 'error', startedMs)
  }
  return undefined
}

/** `augmenter_attempts_total` and `augmenter_duration_seconds` (§8), where metrics are recorded. */
function record(platform: Platform, augmenter: CompiledAugmenter, realm: string, result: 'success' | 'error', startedMs: number) {
  const metrics = platform.metrics
  if (metrics !== undefined) recordAugmenter(metrics, augmenter, realm, result, platform.clock.nowMilliseconds() - startedMs)
}

function settleAll(promises: Promise<void>[]): Promise<void> {
  return Promise.all(promises).then(() => undefined)
}

function logFailure(platform: Platform, augmenter: CompiledAugmenter, error: unknown) {
  platform.logger.log('warn', 'auth.augmenter.failed', {
    augmenter: augmenter.name,
    realm: augmenter.realm,
    code: errorCode(error) || ErrorCode.Unexpected,
    reason: error instanceof Error ? error.message : String(error),
  })
}
