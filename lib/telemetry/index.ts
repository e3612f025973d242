export { logger, type TLogger } from './logger';
export {
  metrics,
  observeRequest,
  observeArchivedFile,
  observeVectorSearch,
  adjustVectorCacheBytes,
  observeVectorCacheEviction,
  observeUncachedVectorSearch,
} from './metrics';
export { checkReadiness, type TReadiness } from './health';
