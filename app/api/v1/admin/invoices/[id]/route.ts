import { adminUpdateInvoiceEndpoint, route } from '@/lib/api';
import { changeInvoiceStatus } from '@/lib/billing';

export const PATCH = route(adminUpdateInvoiceEndpoint, async ({ params, body }) => ({ invoice: await changeInvoiceStatus(params.id, body.status) }));
