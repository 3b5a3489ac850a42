import { useCallback, useState } from 'react';
import type { z } from 'zod';
import { describeError, serverFieldErrors } from '../api/errors';
import { issuesToFieldErrors } from './issues';

export interface FormOptions<V, S extends z.ZodType> {
  initial: V;
  /** The same shared schema the API parses the request with. */
  schema: S;
  /** Form values (mostly text) → the request the schema checks. */
  toRequest: (values: V) => unknown;
}

/**
 * Form state validated with the API's own zod schema before sending; the API's answer (field issues
 * or a message) lands next to the field concerned, or at the top of the form.
 */
export function useForm<V extends Record<string, unknown>, S extends z.ZodType>({ initial, schema, toRequest }: FormOptions<V, S>) {
  const [values, setValues] = useState<V>(initial);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);

  const set = useCallback(<K extends keyof V>(field: K, value: V[K]) => {
    setValues((previous) => ({ ...previous, [field]: value }));
    const key = String(field);
    setErrors((previous) => {
      if (!(key in previous)) return previous;
      const { [key]: _dropped, ...rest } = previous;
      return rest;
    });
  }, []);

  /** The request, or null with the errors shown. */
  const validate = useCallback((): z.output<S> | null => {
    setFormError(null);
    const result = schema.safeParse(toRequest(values));
    if (result.success) {
      setErrors({});
      return result.data;
    }
    const fieldErrors = issuesToFieldErrors(result.error.issues);
    setErrors(fieldErrors);
    if (fieldErrors['']) setFormError(fieldErrors['']);
    return null;
  }, [schema, toRequest, values]);

  /** Shows an API error: per field when it names fields (or `codeToField` maps its code), else on top. */
  const showServerError = useCallback((error: unknown, codeToField: Record<string, string> = {}) => {
    const fields = serverFieldErrors(error);
    const { message, code } = describeError(error);
    const mapped = code ? codeToField[code] : undefined;
    if (mapped) fields[mapped] = message;
    if (Object.keys(fields).length > 0) {
      setErrors(fields);
      setFormError(mapped ? null : 'Please correct the highlighted fields.');
    } else {
      setFormError(message);
    }
  }, []);

  const reset = useCallback((next: V) => {
    setValues(next);
    setErrors({});
    setFormError(null);
  }, []);

  /** A check the schema cannot make (two fields that must match, for instance). */
  const fail = useCallback((field: string, message: string) => setErrors((previous) => ({ ...previous, [field]: message })), []);

  return { values, set, errors, formError, validate, showServerError, reset, setFormError, fail };
}
