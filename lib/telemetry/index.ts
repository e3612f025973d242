export { logger, type TLogger } from './logger';
export { metrics, observeRequest } from './metrics';
export { checkReadiness, type TReadiness } from './health';
