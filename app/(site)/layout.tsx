import Link from 'next/link';
import { Logo } from '@/components/brand/logo';

/** The apex site: landing, sign-in, sign-up, organisations and invitation links. */
export default function SiteLayout({ children }: { children: React.ReactNode }) {
  return (
    <div className="flex min-h-screen flex-col">
      <header className="border-b border-slate-200 bg-white">
        <div className="mx-auto flex max-w-6xl items-center justify-between gap-4 px-4 py-3 sm:px-6">
          <Link href="/" className="flex items-center gap-2 font-semibold text-slate-900">
            <Logo />
            Sitework
          </Link>
          <nav aria-label="Account" className="flex items-center gap-1 text-sm">
            <Link href="/sign-in" className="rounded-md px-3 py-2 text-slate-700 hover:bg-slate-100">
              Sign in
            </Link>
            <Link href="/sign-up" className="rounded-md bg-brand px-3 py-2 font-medium text-white hover:brightness-110">
              Create an organisation
            </Link>
          </nav>
        </div>
      </header>
      <main className="flex-1">{children}</main>
      <footer className="border-t border-slate-200 bg-white py-6 text-center text-xs text-slate-500">
        Sitework — the enterprise layer for construction AI
      </footer>
    </div>
  );
}
