export { logger, type TLogger } from './logger';
export { metrics, observeRequest, observeArchivedFile, observeVectorSearch } from './metrics';
export { checkReadiness, type TReadiness } from './health';
