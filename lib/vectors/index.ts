import 'server-only';
import { config } from '@/lib/config';
import { processWide } from '@/lib/runtime';
import { PostgresVectorStore } from './postgres-store';
import { QdrantVectorStore } from './qdrant-store';
import type { TVectorStore } from './types';

export type { TVectorMatch, TVectorPoint, TVectorSearch, TVectorStore } from './types';
export { PostgresVectorStore, type TPostgresVectorStoreOptions, type TVectorCacheStats } from './postgres-store';
export { QdrantVectorStore, qdrantPointId, type TQdrantVectorStoreOptions } from './qdrant-store';

const holder = processWide<{ store?: TVectorStore }>('vector-store', () => ({}));

/** The process's vector store: Qdrant when QDRANT_URL is set, else exact search over PostgreSQL. */
export function vectorStore(): TVectorStore {
  holder.store ??= createVectorStore();
  return holder.store;
}

function createVectorStore(): TVectorStore {
  const { QDRANT_URL, QDRANT_API_KEY, QDRANT_COLLECTION, QDRANT_TIMEOUT_MS, VECTOR_CACHE_MB, EMBEDDING_DIMENSION } = config();
  if (QDRANT_URL) {
    return new QdrantVectorStore({
      url: QDRANT_URL,
      apiKey: QDRANT_API_KEY,
      collection: QDRANT_COLLECTION,
      dimension: EMBEDDING_DIMENSION,
      timeoutMs: QDRANT_TIMEOUT_MS,
    });
  }
  return new PostgresVectorStore({ dimension: EMBEDDING_DIMENSION, cacheBytes: VECTOR_CACHE_MB * 1024 * 1024 });
}

/** Forgets the process's store (and its cache), so a test can change the configuration. */
export function resetVectorStoreForTests(): void {
  holder.store = undefined;
}
