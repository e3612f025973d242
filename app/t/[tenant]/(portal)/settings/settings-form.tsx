'use client';

import { useRouter } from 'next/navigation';
import { useState, type FormEvent, type InputHTMLAttributes } from 'react';
import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { Card } from '@/components/ui/card';
import { Field, describedBy } from '@/components/ui/field';
import { Input } from '@/components/ui/input';
import { useAction } from '@/components/ui/use-action';
import { updateSettingsAction } from './actions';

const GiB = 1024 ** 3;

export interface TSettingsValues {
  name: string;
  logoUrl: string;
  brandingDisplayName: string;
  brandingLogoUrl: string;
  brandingPrimaryColor: string;
  allowedFileTypes: string;
  maxFileSizeGiB: string;
  webhookUrl: string;
}

/** The form's text becomes the patch: empty optional fields clear the setting, GiB become bytes. */
function toPatch(v: TSettingsValues) {
  const orNull = (s: string) => (s.trim() === '' ? null : s.trim());
  const gib = Number(v.maxFileSizeGiB.replace(',', '.'));
  return {
    name: v.name,
    logoUrl: orNull(v.logoUrl),
    brandingDisplayName: orNull(v.brandingDisplayName),
    brandingLogoUrl: orNull(v.brandingLogoUrl),
    brandingPrimaryColor: orNull(v.brandingPrimaryColor),
    allowedFileTypes: v.allowedFileTypes
      .split(/[\s,]+/)
      .map((t) => t.replace(/^\./, ''))
      .filter(Boolean),
    maxFileSizeBytes: v.maxFileSizeGiB.trim() === '' || !Number.isFinite(gib) ? Number.NaN : Math.round(gib * GiB),
    webhookUrl: orNull(v.webhookUrl),
  };
}

// The patch names maxFileSizeBytes; the person typed GiB.
const FIELD_OF: Record<string, keyof TSettingsValues> = { maxFileSizeBytes: 'maxFileSizeGiB' };

export function SettingsForm({ initial, canManage }: { initial: TSettingsValues; canManage: boolean }) {
  const router = useRouter();
  const [values, setValues] = useState(initial);
  const [isSaved, setIsSaved] = useState(false);
  const { run, isPending, error, fieldErrors: rawErrors } = useAction(updateSettingsAction);
  const fieldErrors: Partial<Record<keyof TSettingsValues, string>> = {};
  for (const [field, message] of Object.entries(rawErrors)) fieldErrors[FIELD_OF[field] ?? (field as keyof TSettingsValues)] = message;

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setIsSaved(false);
    const result = await run(toPatch(values), () => router.refresh());
    if (result) setIsSaved(true);
  }

  const set = (key: keyof TSettingsValues) => (e: React.ChangeEvent<HTMLInputElement>) => {
    setIsSaved(false);
    setValues((v) => ({ ...v, [key]: e.target.value }));
  };

  const text = (key: keyof TSettingsValues, label: string, opts: { hint?: string; props?: InputHTMLAttributes<HTMLInputElement> } = {}) => (
    <Field htmlFor={key} label={label} hint={opts.hint} error={fieldErrors[key]}>
      <Input
        id={key}
        name={key}
        value={values[key]}
        onChange={set(key)}
        disabled={!canManage}
        aria-invalid={fieldErrors[key] ? true : undefined}
        aria-describedby={describedBy(key, { hint: opts.hint, error: fieldErrors[key] })}
        {...opts.props}
      />
    </Field>
  );

  const isHex = /^#[0-9a-fA-F]{6}$/.test(values.brandingPrimaryColor);
  const hasFieldErrors = Object.keys(fieldErrors).length > 0;
  return (
    <form onSubmit={submit} noValidate className="space-y-6">
      {!canManage && <Alert tone="info">Only owners and admins can change these settings.</Alert>}
      {error && <Alert>{hasFieldErrors ? 'Some settings are not valid: see the highlighted fields.' : error.message}</Alert>}
      {isSaved && <Alert tone="success">Settings saved.</Alert>}

      <Card title="Organisation">
        <div className="grid gap-4 sm:grid-cols-2">
          {text('name', 'Organisation name', { props: { required: true, maxLength: 120 } })}
          {text('logoUrl', 'Logo URL', { hint: 'An https:// image address, or empty.', props: { type: 'url', inputMode: 'url' } })}
        </div>
      </Card>

      <Card title="Branding" description="How your portal looks to members. Empty fields fall back to the organisation's name and logo.">
        <div className="grid gap-4 sm:grid-cols-2">
          {text('brandingDisplayName', 'Branding display name')}
          {text('brandingLogoUrl', 'Branding logo URL', { props: { type: 'url', inputMode: 'url' } })}
          <Field htmlFor="brandingPrimaryColor" label="Primary colour" hint="A hex colour like #1f6feb, or empty for the default." error={fieldErrors.brandingPrimaryColor}>
            <div className="flex items-center gap-2">
              <label htmlFor="brandingPrimaryColorPicker" className="sr-only">
                Colour picker
              </label>
              <input
                id="brandingPrimaryColorPicker"
                type="color"
                value={isHex ? values.brandingPrimaryColor.toLowerCase() : '#1f6feb'}
                onChange={set('brandingPrimaryColor')}
                disabled={!canManage}
                className="h-9 w-12 shrink-0 cursor-pointer rounded-md border border-slate-300 bg-white p-1 disabled:cursor-not-allowed"
              />
              <Input
                id="brandingPrimaryColor"
                name="brandingPrimaryColor"
                value={values.brandingPrimaryColor}
                onChange={set('brandingPrimaryColor')}
                disabled={!canManage}
                placeholder="#1f6feb"
                spellCheck={false}
                className="font-mono"
                aria-invalid={fieldErrors.brandingPrimaryColor ? true : undefined}
                aria-describedby={describedBy('brandingPrimaryColor', { hint: true, error: fieldErrors.brandingPrimaryColor })}
              />
            </div>
          </Field>
        </div>
      </Card>

      <Card title="Files">
        <div className="grid gap-4 sm:grid-cols-2">
          {text('allowedFileTypes', 'Allowed file types', { hint: 'Comma-separated extensions, e.g. dwg, rvt, ifc, pdf.' })}
          {text('maxFileSizeGiB', 'Max file size (GiB)', {
            hint: 'The largest single file members may upload.',
            props: { type: 'number', min: 0.001, step: 'any', inputMode: 'decimal' },
          })}
        </div>
      </Card>

      <Card title="Webhooks">
        {text('webhookUrl', 'Webhook URL', { hint: 'Sitework POSTs events here, or leave empty for none.', props: { type: 'url', inputMode: 'url' } })}
      </Card>

      {canManage && (
        <div className="flex justify-end">
          <Button type="submit" isPending={isPending} pendingLabel="Saving…">
            Save settings
          </Button>
        </div>
      )}
    </form>
  );
}
