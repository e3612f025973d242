import 'server-only';
import { createHash } from 'node:crypto';
import { QdrantClient, type Schemas } from '@qdrant/js-client-rest';
import { observeVectorSearch } from '@/lib/telemetry';
import { assertVector } from './float32';
import type { TVectorMatch, TVectorPoint, TVectorSearch, TVectorStore } from './types';

const UPSERT_BATCH_SIZE = 256;

export interface TQdrantVectorStoreOptions {
  url: string;
  apiKey?: string;
  collection: string;
  /** Length of every vector; ensureReady(dimension) may change it before the collection is created. */
  dimension: number;
  /** Per request; default 10 s (the client's own default is 5 minutes). */
  timeoutMs?: number;
}

/**
 * The Qdrant point id of a tenant's estimate: a name-based (v5-style, SHA-256 instead of SHA-1) uuid of
 * `${tenantId}:${estimateId}`. Estimate ids are uuids and unique anyway, but the store's contract is that a tenant
 * can never reach another tenant's point even with the same id (a bad import, a copied tenant); deriving the point
 * id from both makes every write and delete tenant-scoped by construction. The estimate id is kept in the payload
 * (estimate_id) and searches read it back from there.
 */
export function qdrantPointId(tenantId: string, estimateId: string): string {
  const bytes = createHash('sha256').update(`${tenantId}:${estimateId}`).digest().subarray(0, 16);
  bytes[6] = (bytes[6] & 0x0f) | 0x50;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

const tenantCondition = (tenantId: string): Schemas['FieldCondition'] => ({ key: 'tenant_id', match: { value: tenantId } });

function vectorSizeOf(info: Schemas['CollectionInfo']): number | undefined {
  const vectors = info.config.params.vectors;
  if (vectors && typeof (vectors as Schemas['VectorParams']).size === 'number') return (vectors as Schemas['VectorParams']).size;
  return undefined;
}

/** Points in one Qdrant collection shared by all tenants, every request filtered by the tenant_id payload. */
export class QdrantVectorStore implements TVectorStore {
  readonly backend = 'qdrant' as const;
  readonly isRemote = true;
  private readonly client: QdrantClient;
  private readonly collection: string;
  private dimension: number;
  private readiness?: { dimension: number; promise: Promise<void> };

  constructor(options: TQdrantVectorStoreOptions) {
    this.client = new QdrantClient({ url: options.url, apiKey: options.apiKey, checkCompatibility: false, timeout: options.timeoutMs ?? 10_000 });
    this.collection = options.collection;
    this.dimension = options.dimension;
  }

  /** Creates the collection and its payload indexes when missing; refuses a collection of another vector size. */
  ensureReady(dimension: number): Promise<void> {
    if (this.readiness?.dimension !== dimension) {
      this.dimension = dimension;
      const promise = this.prepare(dimension);
      this.readiness = { dimension, promise };
      // A failure (Qdrant down) is retried by the next call rather than remembered.
      promise.catch(() => {
        if (this.readiness?.promise === promise) this.readiness = undefined;
      });
    }
    return this.readiness!.promise;
  }

  private async prepare(dimension: number): Promise<void> {
    const { exists } = await this.client.collectionExists(this.collection);
    if (!exists) {
      try {
        await this.client.createCollection(this.collection, { vectors: { size: dimension, distance: 'Cosine' } });
      } catch (error) {
        // Another process may have created it meanwhile; anything else is a real failure.
        const { exists: createdElsewhere } = await this.client.collectionExists(this.collection);
        if (!createdElsewhere) throw new Error(`Qdrant: cannot create collection ${this.collection}: ${String(error)}`);
      }
    }
    const size = vectorSizeOf(await this.client.getCollection(this.collection));
    if (size !== dimension) {
      throw new Error(
        `Qdrant collection ${this.collection} holds vectors of size ${size ?? '(named vectors)'}, but the embedder makes ${dimension}: ` +
          'use another QDRANT_COLLECTION or reindex into a new collection',
      );
    }
    // Creating an existing index is accepted by Qdrant (it is idempotent).
    await this.client.createPayloadIndex(this.collection, {
      field_name: 'tenant_id',
      field_schema: { type: 'keyword', is_tenant: true },
      wait: true,
    });
    await this.client.createPayloadIndex(this.collection, { field_name: 'version', field_schema: 'keyword', wait: true });
    await this.client.createPayloadIndex(this.collection, { field_name: 'estimate_id', field_schema: 'keyword', wait: true });
  }

  async upsert(points: TVectorPoint[]): Promise<void> {
    for (const point of points) {
      assertVector(point.vector, this.dimension, `vector of point ${point.id}`);
      if (!point.version) throw new Error(`point ${point.id} has no version`);
    }
    if (points.length === 0) return;
    await this.ensureReady(this.dimension);
    for (let i = 0; i < points.length; i += UPSERT_BATCH_SIZE) {
      await this.client.upsert(this.collection, {
        wait: true,
        points: points.slice(i, i + UPSERT_BATCH_SIZE).map((point) => ({
          id: qdrantPointId(point.tenantId, point.id),
          vector: point.vector,
          payload: { tenant_id: point.tenantId, estimate_id: point.id, version: point.version },
        })),
      });
    }
  }

  async delete(tenantId: string, ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.ensureReady(this.dimension);
    await this.client.delete(this.collection, {
      wait: true,
      filter: { must: [tenantCondition(tenantId), { key: 'estimate_id', match: { any: ids } }] },
    });
  }

  async deleteTenant(tenantId: string): Promise<void> {
    await this.ensureReady(this.dimension);
    await this.client.delete(this.collection, { wait: true, filter: { must: [tenantCondition(tenantId)] } });
  }

  async count(tenantId: string): Promise<number> {
    await this.ensureReady(this.dimension);
    const { count } = await this.client.count(this.collection, { exact: true, filter: { must: [tenantCondition(tenantId)] } });
    return count;
  }

  async search(query: TVectorSearch): Promise<TVectorMatch[]> {
    const started = performance.now();
    assertVector(query.vector, this.dimension, 'search vector');
    if (query.limit <= 0) return [];
    await this.ensureReady(this.dimension);
    const excludeIds = query.excludeIds ?? [];
    const { points } = await this.client.query(this.collection, {
      query: query.vector,
      filter: {
        must: [tenantCondition(query.tenantId), { key: 'version', match: { value: query.version } }],
        ...(excludeIds.length > 0 ? { must_not: [{ key: 'estimate_id', match: { any: excludeIds } }] } : {}),
      },
      limit: Math.floor(query.limit),
      ...(query.scoreThreshold !== undefined ? { score_threshold: query.scoreThreshold } : {}),
      with_payload: ['estimate_id'],
    });
    // Qdrant orders by score only; equal scores are put in id order as the contract asks (within what it returned).
    const matches = points
      .map((point) => ({ id: String(point.payload?.estimate_id), score: point.score }))
      .sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    observeVectorSearch('qdrant', (performance.now() - started) / 1000);
    return matches;
  }
}
