// C0 controls other than tab, line feed and carriage return; DEL; and the C1 controls.
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/;

/** Where a control character sits in a JSON-like value, and which one it is ("U+0000"). */
export interface ControlCharacterFound {
  path: Array<string | number>;
  codePoint: string;
}

/**
 * Finds the first control character in a value's strings, keys included (depth-first). Tab, line
 * feed and carriage return are not counted: they are ordinary in free text.
 */
export function findControlCharacter(value: unknown, path: Array<string | number> = []): ControlCharacterFound | null {
  if (typeof value === 'string') {
    const match = CONTROL.exec(value);
    return match
      ? { path, codePoint: `U+${match[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}` }
      : null;
  }
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) {
      const found = findControlCharacter(item, [...path, index]);
      if (found) return found;
    }
    return null;
  }
  if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      const inKey = findControlCharacter(key, [...path, key]);
      if (inKey) return inKey;
      const found = findControlCharacter(item, [...path, key]);
      if (found) return found;
    }
  }
  return null;
}
