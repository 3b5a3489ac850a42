import { useId, type InputHTMLAttributes, type ReactNode, type Ref, type SelectHTMLAttributes, type TextareaHTMLAttributes } from 'react';

const CONTROL =
  'block w-full rounded-md border-0 bg-white px-3 py-2 text-sm text-slate-900 shadow-sm ring-1 ring-inset ring-slate-300 placeholder:text-slate-500 ' +
  'focus:ring-2 focus:ring-inset focus:ring-indigo-600 focus:outline-none disabled:bg-slate-50 disabled:text-slate-600 read-only:bg-slate-50';
const INVALID = 'ring-red-500 focus:ring-red-600';

interface FieldIds {
  id: string;
  'aria-describedby'?: string;
  'aria-invalid'?: true;
}

interface FieldProps {
  label: ReactNode;
  /** Shown under the control; replaced by the error when there is one. */
  hint?: ReactNode;
  error?: string | undefined;
  /** Marks the label; the schema decides what is really required. */
  required?: boolean;
  className?: string;
  children: (ids: FieldIds) => ReactNode;
}

/** Label, control, hint and error wired together (for, aria-describedby, aria-invalid). */
export function Field({ label, hint, error, required, className = '', children }: FieldProps) {
  const id = useId();
  const describedBy = error ? `${id}-error` : hint ? `${id}-hint` : undefined;
  return (
    <div className={`flex flex-col gap-1.5 ${className}`}>
      <div className="flex items-baseline gap-1">
        <label htmlFor={id} className="text-sm font-medium text-slate-800">
          {label}
        </label>
        {/* Outside the label, so the control's name stays clean; `required` tells assistive technology. */}
        {required && (
          <span className="text-sm text-red-700" aria-hidden="true">
            *
          </span>
        )}
      </div>
      {children({ id, ...(describedBy ? { 'aria-describedby': describedBy } : {}), ...(error ? { 'aria-invalid': true as const } : {}) })}
      {error ? (
        <p id={`${id}-error`} className="text-sm text-red-700">
          {error}
        </p>
      ) : hint ? (
        <p id={`${id}-hint`} className="text-sm text-slate-600">
          {hint}
        </p>
      ) : null}
    </div>
  );
}

type Base = Omit<FieldProps, 'children'>;

export function TextField({ label, hint, error, required, className, value, onValueChange, ...input }: Base & Omit<InputHTMLAttributes<HTMLInputElement>, 'value' | 'onChange'> & { value: string; onValueChange: (value: string) => void }) {
  return (
    <Field label={label} hint={hint} error={error} required={required} className={className}>
      {(ids) => <input {...ids} {...input} required={required} value={value} onChange={(e) => onValueChange(e.target.value)} className={`${CONTROL} ${error ? INVALID : ''}`} />}
    </Field>
  );
}

export function TextAreaField({ label, hint, error, required, className, value, onValueChange, ...input }: Base & Omit<TextareaHTMLAttributes<HTMLTextAreaElement>, 'value' | 'onChange'> & { value: string; onValueChange: (value: string) => void; ref?: Ref<HTMLTextAreaElement> }) {
  return (
    <Field label={label} hint={hint} error={error} required={required} className={className}>
      {(ids) => <textarea {...ids} {...input} required={required} value={value} onChange={(e) => onValueChange(e.target.value)} className={`${CONTROL} ${error ? INVALID : ''}`} />}
    </Field>
  );
}

export function SelectField<T extends string>({
  label,
  hint,
  error,
  required,
  className,
  value,
  onValueChange,
  options,
  ...select
}: Base & Omit<SelectHTMLAttributes<HTMLSelectElement>, 'value' | 'onChange'> & { value: T; onValueChange: (value: T) => void; options: readonly { value: T; label: string }[] }) {
  return (
    <Field label={label} hint={hint} error={error} required={required} className={className}>
      {(ids) => (
        <select {...ids} {...select} value={value} onChange={(e) => onValueChange(e.target.value as T)} className={`${CONTROL} pr-8 ${error ? INVALID : ''}`}>
          {options.map((option) => (
            <option key={option.value} value={option.value}>
              {option.label}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}

export function CheckboxField({ label, hint, checked, onCheckedChange, disabled }: { label: ReactNode; hint?: ReactNode; checked: boolean; onCheckedChange: (checked: boolean) => void; disabled?: boolean }) {
  const id = useId();
  return (
    <div className="flex items-start gap-3">
      <input
        id={id}
        type="checkbox"
        checked={checked}
        disabled={disabled}
        onChange={(e) => onCheckedChange(e.target.checked)}
        aria-describedby={hint ? `${id}-hint` : undefined}
        className="mt-0.5 size-4 rounded border-slate-400 text-indigo-600 accent-indigo-600"
      />
      <div className="text-sm">
        <label htmlFor={id} className="font-medium text-slate-800">
          {label}
        </label>
        {hint && (
          <p id={`${id}-hint`} className="text-slate-600">
            {hint}
          </p>
        )}
      </div>
    </div>
  );
}

/** A filter control without the vertical rhythm of a form field. */
export const controlClass = CONTROL;
