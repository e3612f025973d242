import { buttonClass, Button } from '@/components/ui/button';
import { Field } from '@/components/ui/field';
import { Input } from '@/components/ui/input';
import { Select } from '@/components/ui/select';

export interface TAuditFilterFormProps {
  /** The accepted filter values from the URL. */
  values: Partial<Record<'action' | 'type' | 'actor' | 'outcome' | 'from' | 'to' | 'q', string>>;
  /** Actions recorded recently, offered as suggestions; any other action can be typed. */
  actions: string[];
  types: readonly string[];
  /** Kept when the filters change, so the summary stays on the chosen period. */
  period: string;
}

/** A GET form: the filters live in the URL, so a filtered view can be reloaded, bookmarked and shared. */
export function AuditFilterForm({ values, actions, types, period }: TAuditFilterFormProps) {
  return (
    <form method="get" aria-label="Filter audit events" className="space-y-4">
      <input type="hidden" name="period" value={period} />
      <div className="grid gap-4 sm:grid-cols-2 lg:grid-cols-4">
        <Field htmlFor="audit-action" label="Action" hint="e.g. api_key.create; suggestions are recent actions.">
          <Input
            id="audit-action"
            name="action"
            list="audit-action-options"
            defaultValue={values.action ?? ''}
            autoComplete="off"
            spellCheck={false}
            aria-describedby="audit-action-hint"
          />
          <datalist id="audit-action-options">
            {actions.map((action) => (
              <option key={action} value={action} />
            ))}
          </datalist>
        </Field>
        <Field htmlFor="audit-type" label="Event type">
          <Select id="audit-type" name="type" defaultValue={values.type ?? ''}>
            <option value="">Any type</option>
            {types.map((type) => (
              <option key={type} value={type}>
                {type}
              </option>
            ))}
          </Select>
        </Field>
        <Field htmlFor="audit-actor" label="Actor" hint="Part of a name, or a user or key id.">
          <Input id="audit-actor" name="actor" defaultValue={values.actor ?? ''} autoComplete="off" aria-describedby="audit-actor-hint" />
        </Field>
        <Field htmlFor="audit-outcome" label="Outcome">
          <Select id="audit-outcome" name="outcome" defaultValue={values.outcome ?? ''}>
            <option value="">Any outcome</option>
            <option value="success">success</option>
            <option value="failure">failure</option>
          </Select>
        </Field>
        <Field htmlFor="audit-from" label="From (UTC day)">
          <Input id="audit-from" name="from" type="date" defaultValue={values.from ?? ''} />
        </Field>
        <Field htmlFor="audit-to" label="To (UTC day, included)">
          <Input id="audit-to" name="to" type="date" defaultValue={values.to ?? ''} />
        </Field>
        <Field htmlFor="audit-q" label="Search" hint="Action, actor, target or metadata." className="lg:col-span-2">
          <Input id="audit-q" name="q" type="search" defaultValue={values.q ?? ''} aria-describedby="audit-q-hint" />
        </Field>
      </div>
      <div className="flex flex-wrap items-center gap-2">
        <Button type="submit" size="sm">
          Apply filters
        </Button>
        <a href={`?period=${encodeURIComponent(period)}`} className={buttonClass('ghost', 'sm')}>
          Clear filters
        </a>
      </div>
    </form>
  );
}
