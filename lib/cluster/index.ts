export { announceChange, onChange, startChangeListener, stopChangeListener, type TChangeTopic } from './changes';
export { sharedRedis, closeSharedRedis } from './redis';
