import { Field } from './fields';

/**
 * A provider API key that is never shown again once stored: typing replaces it, a checkbox clears it,
 * leaving it empty keeps what is stored.
 */
export function ApiKeyField({
  label = 'API key',
  stored,
  value,
  onValueChange,
  clear,
  onClearChange,
  error,
  disabled,
  hint,
}: {
  label?: string;
  stored: boolean;
  value: string;
  onValueChange: (value: string) => void;
  clear: boolean;
  onClearChange: (clear: boolean) => void;
  error?: string | undefined;
  disabled?: boolean;
  hint?: string;
}) {
  return (
    <Field label={label} error={error} hint={stored ? 'A key is stored (it is never shown). Type a new one to replace it.' : (hint ?? 'Stored encrypted; never shown again.')}>
      {(ids) => (
        <div className="space-y-2">
          <input
            {...ids}
            type="password"
            autoComplete="off"
            spellCheck={false}
            disabled={disabled || clear}
            placeholder={stored ? '•••••••• stored' : 'none'}
            value={value}
            onChange={(e) => onValueChange(e.target.value)}
            className="block w-full rounded-md border-0 px-3 py-2 font-mono text-sm shadow-sm ring-1 ring-slate-300 ring-inset placeholder:text-slate-500 focus:ring-2 focus:ring-indigo-600 focus:outline-none disabled:bg-slate-50"
          />
          {stored && !disabled && (
            <label className="flex items-center gap-2 text-sm text-slate-700">
              <input type="checkbox" className="size-4 accent-indigo-600" checked={clear} onChange={(e) => onClearChange(e.target.checked)} />
              Remove the stored key
            </label>
          )}
        </div>
      )}
    </Field>
  );
}
