'use server';

import { z } from 'zod';
import { action } from '@/lib/api';
import { verifyAuditChain } from '@/lib/audit';

/** Walks the platform's chain (operators' and jobs' events); a read, so not itself recorded. */
export const verifyPlatformChainAction = action(
  { name: 'adminVerifyPlatformChain', access: 'platform', input: z.object({}), audit: false },
  async ({ tx }) => verifyAuditChain(tx, null),
);
