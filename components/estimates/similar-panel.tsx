import type { ReactNode } from 'react';
import { Alert } from '@/components/ui/alert';
import { Card } from '@/components/ui/card';
import { AppError } from '@/lib/app-error';
import { similarTo } from '@/lib/estimates';
import { logger } from '@/lib/telemetry';
import { IndexingPoller } from './indexing-poller';
import { SimilarResults } from './similar-results';
import { toSimilarView, type TSimilarView } from './similar-view';

const SIMILAR_LIMIT = 5;
// Below this a neighbour is another kind of project (house vs road scores ~0.5–0.6 on the synthetic data): left
// out, so it neither fills the list nor drags the average cost.
const SIMILAR_MIN_SCORE = 0.7;

async function loadSimilar(tenantId: string, estimateId: string): Promise<TSimilarView | { error: string }> {
  try {
    return toSimilarView(await similarTo(tenantId, estimateId, { limit: SIMILAR_LIMIT, scoreThreshold: SIMILAR_MIN_SCORE }));
  } catch (error) {
    // The rest of the page is still useful when the vector store is down: the panel says so instead.
    if (!(error instanceof AppError)) logger.error({ err: error, estimateId }, 'similar estimates panel failed');
    return { error: error instanceof AppError ? error.message : 'Similar estimates could not be loaded; try again in a moment.' };
  }
}

/** The detail page's "Similar estimates" card: loads on its own (inside Suspense) so the page renders first. */
export async function SimilarPanel({ tenantId, estimateId, isIndexed }: { tenantId: string; estimateId: string; isIndexed: boolean }) {
  const similar = await loadSimilar(tenantId, estimateId);
  return (
    <SimilarCard>
      <div className="space-y-4">
        {!isIndexed && <IndexingPoller />}
        {'error' in similar ? <Alert tone="warning">{similar.error}</Alert> : <SimilarResults view={similar} caption="Similar estimates" />}
      </div>
    </SimilarCard>
  );
}

export function SimilarCard({ children }: { children: ReactNode }) {
  return (
    <Card title="Similar estimates" description={`Up to ${SIMILAR_LIMIT} estimates most alike in materials, location, size and rates (similarity of at least ${SIMILAR_MIN_SCORE * 100} %), best first.`}>
      {children}
    </Card>
  );
}
