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
import { newUser, type User } from '../user'
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

/**
 * The user before augmentation, from one that has been augmented (a token of ours, whose claims
 * carry the augmenters' roles): what GET /token must store, since the token-store provider's user
 * is augmented again on every use (authotron-behaviour.md §4.x "Duplicated roles"). The augmenters
 * run on a user with the same username and realm and nothing else; each role they give is removed
 * once from the end of `user`'s roles (augmentation appends), and each attribute they set is
 * removed. So augmenting the result gives `user` back, for augmenters that decide by username and
 * realm (plain, ldap); a plain_advanced one that matches on roles may give less. Not counted in
 * the metrics: no request was augmented.
 */
export function withoutAugmentation(config: CompiledConfig, user: User, platform: Platform): MaybePromise<User> {
  if (config.augmenterPlans[KEY_PREFIX + user.realm] === undefined) return user
  const probe = newUser(user.username, user.realm, [])
  return whenReady(augmentUser(config, probe, { ...platform, metrics: undefined }), (added) => {
    const roles = user.roles.slice()
    for (let i = added.roles.length - 1; i >= 0; i--) {
      const at = roles.lastIndexOf(added.roles[i])
      if (at !== -1) roles.splice(at, 1)
    }
    const attributes: { [key: string]: string } = {}
    for (const key in user.attributes) {
      if (Object.prototype.hasOwnProperty.call(user.attributes, key) && !Object.prototype.hasOwnProperty.call(added.attributes, key))
        attributes[key] = user.attributes[key]
    }
    return { version: user.version, username: user.username, realm: user.realm, roles, attributes, scopes: user.scopes }
  })
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
