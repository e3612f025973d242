import type { TTx } from '@/db/client';

/** A point of a tenant's vector index: the id is the estimate's uuid (never truncated), the vector unit-length. */
export interface TVectorPoint {
  id: string;
  tenantId: string;
  vector: number[];
  /** The embedder version that made `vector`; searches compare only points of one version. */
  version: string;
}

export interface TVectorMatch {
  id: string;
  /** Cosine similarity, 1 = same direction. */
  score: number;
}

export interface TVectorSearch {
  tenantId: string;
  vector: number[];
  version: string;
  /** At most this many matches, best first (ties broken by id, so results are stable). */
  limit: number;
  /** Only matches scoring at least this (cosine); default: no threshold. */
  scoreThreshold?: number;
  /** Ids to leave out (e.g. the estimate whose neighbours are asked for). */
  excludeIds?: string[];
  /**
   * The caller's transaction in this tenant, when it holds one (a request): the PostgreSQL store reads through it
   * instead of taking a second pooled connection, which would deadlock once every connection is held by a request
   * waiting for another. Qdrant does not need it.
   */
  tx?: TTx;
}

/**
 * Where estimate vectors live. Every call names its tenant and an implementation must never return or touch
 * another tenant's point, even one with the same id or an identical vector. Writes are idempotent (upsert by
 * id, delete of a missing id is a no-op), so the outbox job may retry them.
 */
export interface TVectorStore {
  /** 'postgres' | 'qdrant': the label of the vector_search_seconds histogram. */
  readonly backend: 'postgres' | 'qdrant';
  /**
   * true: every call goes over the network (Qdrant), so callers hold no database transaction across one;
   * false: the store is PostgreSQL, and search reads through the caller's tenant transaction (`tx`).
   */
  readonly isRemote: boolean;
  /** Creates what the store needs (collection, payload index); safe to call repeatedly and concurrently. */
  ensureReady(dimension: number): Promise<void>;
  upsert(points: TVectorPoint[]): Promise<void>;
  delete(tenantId: string, ids: string[]): Promise<void>;
  /** Removes every point of the tenant (a full reindex starts from nothing). */
  deleteTenant(tenantId: string): Promise<void>;
  search(query: TVectorSearch): Promise<TVectorMatch[]>;
  count(tenantId: string): Promise<number>;
}
