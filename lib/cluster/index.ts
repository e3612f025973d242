export { announceChange, isHearingChanges, onChange, startChangeListener, stopChangeListener, type TChangeTopic } from './changes';
export { changeCache, type TChangeCache } from './cache';
export { sharedRedis, connectSharedRedis, closeSharedRedis } from './redis';
