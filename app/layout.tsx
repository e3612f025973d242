import type { Metadata } from 'next';
import { HydrationMark } from '@/components/ui/hydration-mark';
import './globals.css';

// Every page is rendered per request: its scripts carry the nonce of that response's Content-Security-Policy
// (middleware.ts), which a page prerendered at build time could not know.
export const dynamic = 'force-dynamic';

export const metadata: Metadata = {
  title: 'Sitework',
  description: 'The enterprise layer of a construction AI platform',
};

export default function RootLayout({ children }: { children: React.ReactNode }) {
  return (
    <html lang="en">
      <body className="min-h-screen">
        {children}
        <HydrationMark />
      </body>
    </html>
  );
}
