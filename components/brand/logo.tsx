/** Sitework's mark: an inline SVG (no image files, no network). */
export function Logo({ className = 'h-7 w-7' }: { className?: string }) {
  return (
    <svg viewBox="0 0 32 32" className={className} aria-hidden="true">
      <rect width="32" height="32" rx="7" className="fill-brand" />
      <path d="M7 23 L16 9 L25 23 Z" fill="none" stroke="white" strokeWidth="2.5" strokeLinejoin="round" />
      <path d="M11.5 23 V17.5 H20.5 V23" fill="none" stroke="white" strokeWidth="2" />
    </svg>
  );
}
