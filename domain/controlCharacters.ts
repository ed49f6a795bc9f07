// C0 controls other than tab, line feed and carriage return; DEL; and the C1 controls.
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/;

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** How deeply JSON values may nest: far beyond any request ImaraPay takes, far below what costs anything. */
export const MAX_NESTING_DEPTH = 32;

/** Why a value cannot be stored as text: where it sits and what is wrong there. */
export interface UnstorableText {
  path: Array<string | number>;
  problem: string;
}

/**
 * Finds the first string (keys included) that no text column can hold or no field should carry:
 * a control character other than tab, line feed and carriage return (Postgres refuses NUL
 * outright), or an unpaired UTF-16 surrogate (not Unicode text; jsonb refuses it). Also refuses
 * values nested deeper than MAX_NESTING_DEPTH. Walks iteratively, so no input can exhaust the stack.
 */
export function findUnstorableText(value: unknown): UnstorableText | null {
  const pending: Array<{ value: unknown; path: Array<string | number> }> = [{ value, path: [] }];
  while (pending.length > 0) {
    const { value: current, path } = pending.pop()!;
    if (typeof current === 'string') {
      const problem = textProblem(current);
      if (problem) return { path, problem };
      continue;
    }
    if (current === null || typeof current !== 'object') continue;
    if (path.length >= MAX_NESTING_DEPTH) return { path, problem: `nests deeper than ${MAX_NESTING_DEPTH} levels` };
    const entries: Array<[string | number, unknown]> = Array.isArray(current)
      ? current.map((item, index) => [index, item])
      : Object.entries(current);
    // Reversed so that the first problem in document order is the one reported.
    for (const [key, item] of entries.reverse()) {
      if (typeof key === 'string') {
        const problem = textProblem(key);
        if (problem) return { path, problem: `has a key that ${problem}` };
      }
      pending.push({ value: item, path: [...path, key] });
    }
  }
  return null;
}

function textProblem(text: string): string | null {
  const control = CONTROL.exec(text);
  if (control)
    return `contains a control character (U+${control[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')})`;
  if (LONE_SURROGATE.test(text)) return 'contains an unpaired UTF-16 surrogate (not valid Unicode text)';
  return null;
}
