import Link from 'next/link';
import { buttonClass } from '@/components/ui/button';

const FEATURES = [
  { title: 'Construction files', text: 'Upload and share DWG, RVT, IFC and PDF files per organisation, with quotas and archival.' },
  { title: 'Cost estimates', text: 'Keep material, labour and equipment estimates and find similar past projects.' },
  { title: 'Usage', text: 'See API calls, uploads and storage against your plan, with warnings before you hit a limit.' },
  { title: 'Billing', text: 'Plans from Free to Enterprise, monthly invoices with overage lines and tax.' },
  { title: 'Audit', text: 'Every sign-in, download and change recorded in a tamper-evident log you can export.' },
  { title: 'Your own portal', text: 'Each organisation gets its own address, members, roles, API keys and branding.' },
];

export default function LandingPage() {
  return (
    <div>
      <section className="mx-auto max-w-6xl px-4 pt-16 pb-12 sm:px-6 sm:pt-24">
        <p className="text-sm font-semibold tracking-wide text-brand uppercase">Multi-tenant portal</p>
        <h1 className="mt-3 max-w-3xl text-4xl font-semibold tracking-tight text-slate-900 sm:text-5xl">
          One secure home for your construction files, estimates, usage and billing.
        </h1>
        <p className="mt-5 max-w-2xl text-lg text-slate-600">
          Sitework gives every organisation its own portal: members and roles, construction files, cost estimates,
          usage and billing, and an audit trail of everything that happens.
        </p>
        <div className="mt-8 flex flex-wrap gap-3">
          <Link href="/sign-up" className={buttonClass('primary')}>
            Create an organisation
          </Link>
          <Link href="/sign-in" className={buttonClass('secondary')}>
            Sign in
          </Link>
        </div>
      </section>
      <section aria-labelledby="features" className="mx-auto max-w-6xl px-4 pb-20 sm:px-6">
        <h2 id="features" className="sr-only">
          What Sitework does
        </h2>
        <ul className="grid gap-4 sm:grid-cols-2 lg:grid-cols-3">
          {FEATURES.map((f) => (
            <li key={f.title} className="rounded-lg bg-white p-5 shadow-sm ring-1 ring-slate-200">
              <h3 className="font-semibold text-slate-900">{f.title}</h3>
              <p className="mt-1.5 text-sm text-slate-600">{f.text}</p>
            </li>
          ))}
        </ul>
      </section>
    </div>
  );
}
