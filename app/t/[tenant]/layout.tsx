import type { Metadata } from 'next';
import type { CSSProperties } from 'react';
import { brandingOf, loadTenant } from './portal-context';

type TParams = { params: Promise<{ tenant: string }> };

export async function generateMetadata({ params }: TParams): Promise<Metadata> {
  const tenant = await loadTenant((await params).tenant);
  return { title: { default: brandingOf(tenant).displayName, template: `%s · ${brandingOf(tenant).displayName}` } };
}

/** Every page of a tenant's portal, sign-in included, wears the tenant's primary colour. */
export default async function TenantLayout({ children, params }: TParams & { children: React.ReactNode }) {
  const tenant = await loadTenant((await params).tenant);
  const { primaryColor } = brandingOf(tenant);
  const style = primaryColor ? ({ '--brand': primaryColor } as CSSProperties) : undefined;
  return (
    <div style={style} className="min-h-screen">
      {children}
    </div>
  );
}
