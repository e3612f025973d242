export { announceChange, onChange, startChangeListener, stopChangeListener, type TChangeTopic } from './changes';
export { sharedRedis, connectSharedRedis, closeSharedRedis } from './redis';
