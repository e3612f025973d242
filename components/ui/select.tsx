import type { SelectHTMLAttributes } from 'react';
import { cn } from './cn';
import { controlClass } from './input';

export function Select({ className, children, ...rest }: SelectHTMLAttributes<HTMLSelectElement>) {
  return (
    <select className={cn(controlClass, 'pr-8', className)} {...rest}>
      {children}
    </select>
  );
}
