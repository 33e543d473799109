// An API error body mapped to the form: messages by the field they name (`field`, and
// every violation of a 422 RULES_FAILED), the rest as one general line. Pure, so it is
// unit-tested; `useApiErrors` (composables.ts) applies it to a page's reactive state.

export interface ErrorLike {
  message: string;
  field?: string | null;
  violations?: { field?: string | null; message?: string | null }[] | null;
}

export interface FieldErrors {
  fields: Record<string, string>;
  general: string;
}

/** Fields get their messages (several joined by '；'); `general` is set when no field is named or violations are listed. */
export function errorsByField(e: ErrorLike): FieldErrors {
  const fields: Record<string, string> = {};
  const violations = e.violations ?? [];
  for (const v of violations) {
    if (v.field) fields[v.field] = fields[v.field] ? `${fields[v.field]}；${v.message ?? ''}` : (v.message ?? '');
  }
  if (e.field) fields[e.field] = e.message;
  return { fields, general: !e.field || violations.length ? e.message : '' };
}

/**
 * The API names a nested field by its path (`operator.phone`, `fees[0].amount`); a form
 * that shows one input for the whole object asks for the first part.
 */
export function fieldRoot(field: string): string {
  return field.split(/[.[]/)[0];
}

/**
 * The message for a form item showing `name`: its own, or those of its parts
 * (`organisers[1]`, `operator.phone` for `operator`), joined by '；'; '' when none.
 */
export function errorFor(fields: Record<string, string>, name: string): string {
  return Object.entries(fields)
    .filter(([k]) => k === name || k.startsWith(`${name}[`) || k.startsWith(`${name}.`))
    .map(([, m]) => m)
    .join('；');
}
