import 'server-only';
import { readSessionUser } from '@/lib/auth';
import { clientAddressOf, clientNetworkOf } from '@/lib/client-address';
import { config } from '@/lib/config';
import { tenantSlugFromHost } from '@/lib/tenancy';
import { assertDeclaredBodySize, readJsonBody } from '@/lib/request-body';
import { captureError } from './capture';
import { ZClientErrorReport } from './input';

/** A browser error report is a message and a stack: 16 KiB is plenty, and bounds what anyone can make us store. */
export const MAX_CLIENT_REPORT_BYTES = 16 * 1024;
/** Reports per minute from one client network: an error loop in a tab must not flood the table. */
export const CLIENT_REPORTS_PER_MINUTE = 30;
/** Reports per minute filed under one tenant (per process), whatever their addresses: nobody floods a tenant's table. */
export const CLIENT_REPORTS_PER_TENANT_PER_MINUTE = 300;

const REPORTS = 'Error reports';

/**
 * The rate-limit keys of a report: its client network (from our server's client address, never a header the
 * client chose) and the tenant the Host names (the platform's bucket for the apex and other hosts).
 */
export function clientReportLimitKeys(request: Request): { client: string; tenant: string } {
  const tenantSlug = tenantSlugFromHost(request.headers.get('host'), config().APP_DOMAIN);
  return {
    client: `client-errors:${clientNetworkOf(clientAddressOf(request.headers))}`,
    tenant: `client-errors-tenant:${tenantSlug ?? 'platform'}`,
  };
}

/** Refuses a declared Content-Length over the limit before anything is read. */
export function assertClientReportSize(request: Request): void {
  assertDeclaredBodySize(request, MAX_CLIENT_REPORT_BYTES, REPORTS);
}

/**
 * Records a browser's error report (the client error boundary posts it). The tenant is the one the Host names,
 * resolved at flush time (no database round trip here); the user is the session's, if one came along. Returns
 * nothing: the browser needs only the 202.
 */
export async function reportClientError(request: Request): Promise<void> {
  // A body without (or lying about) its length is cut off at the first byte too many.
  const report = ZClientErrorReport.parse(await readJsonBody(request, MAX_CLIENT_REPORT_BYTES, REPORTS));
  const user = await readSessionUser(request.headers.get('cookie'));
  let route: string | null = null;
  if (report.url) {
    try {
      route = new URL(report.url).pathname;
    } catch {
      route = report.url.slice(0, 512);
    }
  }
  captureError({
    source: 'client',
    reported: { type: report.type ?? 'Error', message: report.message, stack: report.stack ?? null },
    host: request.headers.get('host'),
    route,
    method: null,
    userAgent: report.userAgent ?? request.headers.get('user-agent'),
    userKey: user ? `user:${user.id}` : null,
    metadata: {
      ...(report.url && { url: report.url }),
      ...(report.componentStack && { componentStack: report.componentStack }),
      ...(report.digest && { digest: report.digest }),
      ...(report.release && { clientRelease: report.release }),
    },
  });
}
