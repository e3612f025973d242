export { logger, type TLogger } from './logger';
export { metrics, observeRequest, observeArchivedFile } from './metrics';
export { checkReadiness, type TReadiness } from './health';
