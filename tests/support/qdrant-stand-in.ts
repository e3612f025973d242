import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/*
 * A local stand-in for the parts of Qdrant's REST API our store uses (collections, payload indexes, upsert, query,
 * count, delete by filter), with exact cosine scoring, recording every request. It is no substitute for the real
 * server (QDRANT_URL runs the contract against one); it checks what our store sends: that every read and delete
 * carries the tenant filter, that the tenant index is declared, that vectors have the collection's size.
 */

export interface TRecordedRequest {
  method: string;
  path: string;
  body: Record<string, unknown>;
}

interface TCondition {
  key: string;
  match: { value?: unknown; any?: unknown[] };
}

interface TFilter {
  must?: TCondition[];
  must_not?: TCondition[];
}

interface TPoint {
  id: string;
  vector: number[];
  payload: Record<string, unknown>;
}

interface TCollection {
  vectors: { size: number; distance: string };
  points: Map<string, TPoint>;
  indexes: Record<string, unknown>;
}

function conditionHolds(point: TPoint, condition: TCondition): boolean {
  const value = point.payload[condition.key];
  if ('value' in condition.match) return value === condition.match.value;
  if (Array.isArray(condition.match.any)) return condition.match.any.includes(value);
  throw new Error(`unsupported match ${JSON.stringify(condition)}`);
}

function filterHolds(point: TPoint, filter: TFilter | undefined): boolean {
  if (!filter) return true;
  return (filter.must ?? []).every((c) => conditionHolds(point, c)) && !(filter.must_not ?? []).some((c) => conditionHolds(point, c));
}

function unit(vector: number[]): number[] {
  const norm = Math.hypot(...vector);
  return norm > 0 ? vector.map((x) => x / norm) : vector;
}

export interface TQdrantStandIn {
  url: string;
  requests: TRecordedRequest[];
  /** While true, requests are read and recorded but never answered (a hung server). */
  isSilent: boolean;
  close(): Promise<void>;
}

export async function startQdrantStandIn(): Promise<TQdrantStandIn> {
  const collections = new Map<string, TCollection>();
  const requests: TRecordedRequest[] = [];
  const server: Server = createServer((req, res) => {
    let raw = '';
    req.on('data', (chunk: Buffer) => (raw += chunk.toString()));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://stand-in');
      const body = (raw ? JSON.parse(raw) : {}) as Record<string, unknown>;
      requests.push({ method: req.method ?? 'GET', path: url.pathname, body });
      if (standIn.isSilent) return;
      const reply = (status: number, payload: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(status < 300 ? { result: payload, status: 'ok', time: 0 } : { status: { error: payload }, time: 0 }));
      };
      const route = url.pathname.match(/^\/collections\/([^/]+)(\/.*)?$/);
      if (!route) return reply(404, 'no such route');
      const [, name, rest = ''] = route;
      const collection = collections.get(name);
      const done = { operation_id: requests.length, status: 'completed' };
      if (rest === '/exists' && req.method === 'GET') return reply(200, { exists: Boolean(collection) });
      if (rest === '' && req.method === 'PUT') {
        if (collection) return reply(409, `Collection ${name} already exists`);
        collections.set(name, { vectors: body.vectors as TCollection['vectors'], points: new Map(), indexes: {} });
        return reply(200, true);
      }
      if (rest === '' && req.method === 'DELETE') return reply(200, collections.delete(name));
      if (!collection) return reply(404, `Collection ${name} not found`);
      if (rest === '' && req.method === 'GET') {
        return reply(200, { status: 'green', config: { params: { vectors: collection.vectors } }, payload_schema: collection.indexes });
      }
      if (rest === '/index' && req.method === 'PUT') {
        collection.indexes[body.field_name as string] = body.field_schema;
        return reply(200, done);
      }
      if (rest === '/points' && req.method === 'PUT') {
        for (const point of body.points as TPoint[]) {
          if (point.vector.length !== collection.vectors.size) return reply(400, `vector of size ${point.vector.length}, expected ${collection.vectors.size}`);
          collection.points.set(String(point.id), { ...point, id: String(point.id), vector: unit(point.vector) });
        }
        return reply(200, done);
      }
      if (rest === '/points/delete' && req.method === 'POST') {
        for (const [id, point] of collection.points) if (filterHolds(point, body.filter as TFilter)) collection.points.delete(id);
        return reply(200, done);
      }
      if (rest === '/points/count' && req.method === 'POST') {
        return reply(200, { count: [...collection.points.values()].filter((p) => filterHolds(p, body.filter as TFilter)).length });
      }
      if (rest === '/points/query' && req.method === 'POST') {
        const query = unit(body.query as number[]);
        const withPayload = (body.with_payload as string[] | undefined) ?? [];
        const threshold = body.score_threshold as number | undefined;
        const scored = [...collection.points.values()]
          .filter((p) => filterHolds(p, body.filter as TFilter))
          .map((p) => ({
            id: p.id,
            version: 1,
            score: p.vector.reduce((sum, x, i) => sum + x * query[i], 0),
            payload: Object.fromEntries(withPayload.map((key) => [key, p.payload[key]])),
          }))
          .filter((p) => threshold === undefined || p.score >= threshold)
          .sort((a, b) => b.score - a.score)
          .slice(0, (body.limit as number | undefined) ?? 10);
        return reply(200, { points: scored });
      }
      return reply(404, `unsupported ${req.method} ${rest}`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const standIn: TQdrantStandIn = {
    url: `http://127.0.0.1:${port}`,
    requests,
    isSilent: false,
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return standIn;
}
