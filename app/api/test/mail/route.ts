import { z } from 'zod';
import { AppError } from '@/lib/app-error';
import { defineEndpoint, testRoute } from '@/lib/api';
import { ZEmail } from '@/lib/auth';
import { latestEmailTo } from '@/lib/mail';

/**
 * The newest mail queued for an address, for the e2e suite (it follows the links mailed on sign-up). Inert unless
 * SITEWORK_TEST_ROUTES=1: answers 404 otherwise.
 */
export const dynamic = 'force-dynamic';

const latestMailEndpoint = defineEndpoint({
  method: 'GET',
  path: '/api/test/mail',
  summary: 'The newest mail queued for an address (tests only)',
  tag: 'Tests',
  access: 'public',
  query: z.object({ to: ZEmail }),
  audit: false,
});

export const GET = testRoute(latestMailEndpoint, async ({ query }) => {
  const mail = await latestEmailTo(query.to);
  if (!mail) throw new AppError('not_found', `No mail to ${query.to}`);
  return { mail };
});
