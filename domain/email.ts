/** Emails are compared case-insensitively: they are stored trimmed and lower-cased everywhere. */
export const normalizeEmail = (email: string) => email.trim().toLowerCase();
