import 'server-only';
import { config } from '@/lib/config';
import { processWide } from '@/lib/runtime';
import { createLocalEmbedder, type TEmbedder } from './embedding';
import { createRemoteEmbedder } from './remote-embedder';

const holder = processWide('estimate-embedder', () => ({ embedder: undefined as TEmbedder | undefined }));

/** The process's embedder: EMBEDDING_URL's when set, else the built-in one (no model download). */
export function embedder(): TEmbedder {
  if (!holder.embedder) {
    const { EMBEDDING_URL, EMBEDDING_API_KEY, EMBEDDING_DIMENSION, EMBEDDING_TIMEOUT_MS } = config();
    holder.embedder = EMBEDDING_URL
      ? createRemoteEmbedder({ url: EMBEDDING_URL, apiKey: EMBEDDING_API_KEY, dimension: EMBEDDING_DIMENSION, timeoutMs: EMBEDDING_TIMEOUT_MS })
      : createLocalEmbedder(EMBEDDING_DIMENSION);
  }
  return holder.embedder;
}

/** Tests swap the embedder (e.g. to one whose endpoint is down); undefined goes back to the configured one. */
export function setEmbedderForTests(replacement: TEmbedder | undefined): void {
  holder.embedder = replacement;
}
