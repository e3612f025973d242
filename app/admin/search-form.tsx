import { Button } from '@/components/ui/button';
import { Input } from '@/components/ui/input';

/** A plain GET form: the search lives in the URL, so results can be bookmarked and shared. */
export function SearchForm({ id, label, value, action }: { id: string; label: string; value?: string; action: string }) {
  return (
    <form method="get" action={action} role="search" className="flex gap-2">
      <label htmlFor={id} className="sr-only">
        {label}
      </label>
      <Input id={id} name="search" type="search" defaultValue={value} placeholder={label} className="w-64 max-w-full" />
      <Button type="submit" variant="secondary">
        Search
      </Button>
    </form>
  );
}
