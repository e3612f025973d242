import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createRemoteEmbedder, type TCostEstimate } from '@/lib/estimates';

const estimate: TCostEstimate = {
  project: 'Riverside',
  name: 'Block A',
  location: { country: 'DE', region: 'Bavaria', city: 'Munich' },
  materials: [{ name: 'Ready-mix concrete C30/37', category: 'concrete', quantity: 120, unit: 'm³', unitCostCents: 13_500 }],
  laborRateCents: 5_600,
  laborHours: 2_000,
  equipmentRateCents: 18_000,
  equipmentHours: 150,
  currency: 'EUR',
};

interface TReceived {
  method?: string;
  headers: IncomingHttpHeaders;
  body: unknown;
}

/** A stand-in embedding endpoint: answers each POST with `reply`, remembers what it was sent. */
let reply: { status: number; body: unknown } = { status: 200, body: {} };
let received: TReceived[] = [];
let server: Server;
let url: string;

beforeAll(async () => {
  server = createServer((request, response) => {
    let raw = '';
    request.on('data', (chunk: Buffer) => (raw += chunk.toString('utf8')));
    request.on('end', () => {
      received.push({ method: request.method, headers: request.headers, body: raw ? JSON.parse(raw) : undefined });
      response.writeHead(reply.status, { 'content-type': 'application/json' });
      response.end(typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/embed`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

beforeEach(() => {
  received = [];
});

describe('createRemoteEmbedder', () => {
  it('posts the estimate with the bearer key and returns the vector made unit-length', async () => {
    reply = { status: 200, body: { vector: [3, 4, 0, 0], version: 'model-7' } };
    const embedder = createRemoteEmbedder({ url, apiKey: 'secret-key', dimension: 4 });

    const vector = await embedder.embed(estimate);

    expect(vector).toEqual([0.6, 0.8, 0, 0]);
    expect(received).toHaveLength(1);
    expect(received[0].method).toBe('POST');
    expect(received[0].headers.authorization).toBe('Bearer secret-key');
    expect(received[0].headers['content-type']).toBe('application/json');
    expect(received[0].body).toEqual({ estimate });
  });

  it('sends no Authorization header without a key', async () => {
    reply = { status: 200, body: { vector: [1, 0, 0, 0], version: 'model-7' } };
    await createRemoteEmbedder({ url, dimension: 4 }).embed(estimate);
    expect(received[0].headers.authorization).toBeUndefined();
  });

  it('names its version after the endpoint host and the dimension, before any call', () => {
    const embedder = createRemoteEmbedder({ url: 'https://embed.example.com:8443/v1/embed', dimension: 384 });
    expect(embedder.version).toBe('remote:embed.example.com:8443-d384');
    expect(embedder.dimension).toBe(384);
    expect(received).toHaveLength(0);
  });

  it('refuses a vector of the wrong length', async () => {
    reply = { status: 200, body: { vector: [1, 0, 0], version: 'model-7' } };
    await expect(createRemoteEmbedder({ url, dimension: 4 }).embed(estimate)).rejects.toThrow(/returned 3 numbers, expected 4/);
  });

  it('refuses non-finite numbers, a zero vector and an answer without a version', async () => {
    const embedder = createRemoteEmbedder({ url, dimension: 2 });
    reply = { status: 200, body: { vector: [1, 'x'], version: 'model-7' } };
    await expect(embedder.embed(estimate)).rejects.toThrow(/non-finite/);
    reply = { status: 200, body: { vector: [0, 0], version: 'model-7' } };
    await expect(embedder.embed(estimate)).rejects.toThrow(/zero vector/);
    reply = { status: 200, body: { vector: [1, 0] } };
    await expect(embedder.embed(estimate)).rejects.toThrow(/no version/);
    reply = { status: 200, body: 'not json' };
    await expect(embedder.embed(estimate)).rejects.toThrow(/invalid JSON/);
  });

  it('fails with the status when the endpoint answers 500', async () => {
    reply = { status: 500, body: { error: 'model not loaded' } };
    await expect(createRemoteEmbedder({ url, dimension: 4 }).embed(estimate)).rejects.toThrow(/answered 500.*model not loaded/);
  });

  it('gives up on an endpoint that does not answer in time', async () => {
    const silent = createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as AddressInfo;
    try {
      const embedder = createRemoteEmbedder({ url: `http://127.0.0.1:${port}/embed`, dimension: 4, timeoutMs: 200 });
      await expect(embedder.embed(estimate)).rejects.toThrow(/did not answer within 200 ms/);
    } finally {
      silent.closeAllConnections();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });

  it('gives up on an endpoint that sends its headers but never the body', async () => {
    const trickle = createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.write('{"vector": [');
    });
    await new Promise<void>((resolve) => trickle.listen(0, '127.0.0.1', resolve));
    const { port } = trickle.address() as AddressInfo;
    try {
      const embedder = createRemoteEmbedder({ url: `http://127.0.0.1:${port}/embed`, dimension: 4, timeoutMs: 200 });
      await expect(embedder.embed(estimate)).rejects.toThrow(/did not answer within 200 ms/);
    } finally {
      trickle.closeAllConnections();
      await new Promise<void>((resolve) => trickle.close(() => resolve()));
    }
  });

  it('fails clearly when the endpoint cannot be reached', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    await expect(createRemoteEmbedder({ url: `http://127.0.0.1:${port}/embed`, dimension: 4 }).embed(estimate)).rejects.toThrow(/unreachable/);
  });
});
