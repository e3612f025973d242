export {
  totalCostCents,
  materialsCostCents,
  laborCostCents,
  equipmentCostCents,
  lineCostCents,
  type TCostEstimate,
  type TEstimateMaterial,
  type TEstimateLocation,
} from './model';
export {
  EMBEDDING_VERSION,
  DEFAULT_EMBEDDING_DIMENSION,
  embedEstimate,
  cosineSimilarity,
  createLocalEmbedder,
  normaliseWords,
  fnv1a32,
  type TEmbedder,
} from './embedding';
export { evaluateEmbedding, type TEmbeddingEvaluation } from './evaluation';
export { ARCHETYPES, generateEstimates, mulberry32, type TArchetype, type TGeneratedEstimate, type TSyntheticDifficulty } from './synthetic';
export {
  ZEstimateInput,
  ZEstimateMaterial,
  ZEstimateLocation,
  ZListEstimatesQuery,
  ZSimilarSearch,
  ZSimilarQuery,
  ZImportQuery,
  ZReindexRequest,
  ESTIMATE_UNITS,
  ESTIMATE_SORTS,
  IMPORT_MODES,
  MAX_MATERIALS_PER_ESTIMATE,
  MAX_SIMILAR_LIMIT,
  canonicalUnit,
  type TEstimateInput,
  type TEstimateSort,
  type TListEstimatesQuery,
  type TSimilarSearch,
  type TImportMode,
} from './input';
export {
  createEstimate,
  insertEstimates,
  getEstimate,
  updateEstimate,
  deleteEstimate,
  listEstimates,
  findEstimates,
  estimateColumns,
  toEstimate,
  type TEstimate,
  type TEstimateAuthor,
} from './estimates';
export { requestVectorIndexing, setVectorIndexingSender } from './index-kick';
export { embedder, setEmbedderForTests } from './embedder-registry';
export { createRemoteEmbedder, type TRemoteEmbedderOptions } from './remote-embedder';
export {
  searchSimilar,
  similarTo,
  summarize,
  confidenceOf,
  type TSimilarResult,
  type TSimilarSummary,
  type TSimilarResponse,
  type TDominantMaterial,
} from './search';
export {
  drainIndexOutbox,
  createReindexRun,
  failReindexRun,
  runReindex,
  vectorIndexStatus,
  type TDrainResult,
  type TIndexDependencies,
  type TReindexRun,
  type TVectorIndexStatus,
} from './indexing';
export {
  importEstimates,
  importBodyOf,
  importFormatOf,
  IMPORT_FORMATS,
  MAX_IMPORT_ROWS,
  MAX_IMPORT_BODY_BYTES,
  MAX_IMPORT_RECORD_BYTES,
  MAX_REPORTED_ESTIMATE_IDS,
  type TImportFormat,
  type TImportRejection,
  type TImportReport,
  type TImportWriteHooks,
} from './import';
