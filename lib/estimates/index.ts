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
export { ARCHETYPES, generateEstimates, mulberry32, type TArchetype, type TGeneratedEstimate } from './synthetic';
