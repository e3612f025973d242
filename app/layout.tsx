import type { Metadata } from 'next';
import './globals.css';

export const metadata: Metadata = {
  title: 'Sitework',
  description: 'The enterprise layer of a construction AI platform',
};

export default function RootLayout({ children }: { children: React.ReactNode }) {
  return (
    <html lang="en">
      <body className="min-h-screen">{children}</body>
    </html>
  );
}
