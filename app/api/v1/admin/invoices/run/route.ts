import { adminRunInvoicesEndpoint, route } from '@/lib/api';
import { requestInvoiceRun } from '@/lib/jobs';

export const POST = route(adminRunInvoicesEndpoint, async ({ body }) => ({ run: await requestInvoiceRun(body.period) }));
