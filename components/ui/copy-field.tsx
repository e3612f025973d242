'use client';

import { useState } from 'react';
import { Button } from './button';
import { Field } from './field';
import { Input } from './input';

/** A secret or link shown once: read-only, selected on focus, with a Copy button. */
export function CopyField({ id, label, value, hint }: { id: string; label: string; value: string; hint?: string }) {
  const [isCopied, setIsCopied] = useState(false);

  async function copy() {
    try {
      await navigator.clipboard.writeText(value);
    } catch {
      // Clipboard access needs a secure context or permission; selecting the text lets the person copy it.
      const input = document.getElementById(id) as HTMLInputElement | null;
      input?.select();
      document.execCommand?.('copy');
    }
    setIsCopied(true);
  }

  return (
    <Field htmlFor={id} label={label} hint={hint}>
      <div className="flex gap-2">
        <Input
          id={id}
          readOnly
          value={value}
          onFocus={(e) => e.currentTarget.select()}
          aria-describedby={hint ? `${id}-hint` : undefined}
          className="font-mono text-xs"
        />
        <Button variant="secondary" onClick={copy}>
          {isCopied ? 'Copied' : 'Copy'}
        </Button>
      </div>
    </Field>
  );
}
