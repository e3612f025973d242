'use client';

import { Button } from '@/components/ui/button';

/** The browser's print dialog, which also saves the invoice as a PDF. */
export function PrintButton() {
  return (
    <Button variant="secondary" onClick={() => window.print()} className="print:hidden">
      Print or save as PDF
    </Button>
  );
}
