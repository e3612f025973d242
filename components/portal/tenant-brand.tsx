/** A tenant's logo (or its initial on the brand colour) and display name. */
export function TenantBrand({ displayName, logoUrl, size = 'md' }: { displayName: string; logoUrl: string | null; size?: 'md' | 'lg' }) {
  const box = size === 'lg' ? 'h-12 w-12 text-xl' : 'h-8 w-8 text-sm';
  return (
    <span className="flex min-w-0 items-center gap-2.5">
      {logoUrl ? (
        // Tenant logos live on arbitrary hosts chosen in settings, which next/image would need listed in advance.
        // eslint-disable-next-line @next/next/no-img-element
        <img src={logoUrl} alt="" className={`${box} shrink-0 rounded-md object-contain`} />
      ) : (
        <span aria-hidden="true" className={`${box} flex shrink-0 items-center justify-center rounded-md bg-brand font-semibold text-white`}>
          {displayName.trim().charAt(0).toUpperCase() || '?'}
        </span>
      )}
      <span className={`truncate font-semibold text-slate-900 ${size === 'lg' ? 'text-lg' : ''}`}>{displayName}</span>
    </span>
  );
}
