import { route, verifyAuditChainEndpoint } from '@/lib/api';
import { verifyAuditChain } from '@/lib/audit';

export const GET = route(verifyAuditChainEndpoint, async ({ tx, caller }) => verifyAuditChain(tx, caller.tenant.id));
