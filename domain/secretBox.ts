import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/**
 * Encrypts small secrets at rest (merchants' webhook signing secrets) with AES-256-GCM.
 * The key is SHA-256 of the configured key material, so any long string works as the setting.
 * Every seal draws a fresh 96-bit IV; the GCM tag makes a tampered or wrongly keyed box fail to
 * open instead of yielding garbage. Sealed form: `v1.<iv>.<tag>.<ciphertext>` (base64url).
 */
const VERSION = 'v1';
const IV_BYTES = 12;

const keyFrom = (keyMaterial: string) => createHash('sha256').update(keyMaterial, 'utf8').digest();

export class SecretBoxError extends Error {
  override readonly name = 'SecretBoxError';
}

/** Encrypts `plaintext`; the result is safe to store in a text column. */
export function seal(plaintext: string, keyMaterial: string): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', keyFrom(keyMaterial), iv);
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return [VERSION, iv, cipher.getAuthTag(), ciphertext]
    .map((part) => (typeof part === 'string' ? part : part.toString('base64url')))
    .join('.');
}

/** Decrypts a sealed box; throws SecretBoxError when it was altered or sealed under another key. */
export function open(sealed: string, keyMaterial: string): string {
  const [version, iv, tag, ciphertext] = sealed.split('.');
  if (version !== VERSION || !iv || !tag || ciphertext === undefined) throw new SecretBoxError('Not a sealed secret');
  try {
    const decipher = createDecipheriv('aes-256-gcm', keyFrom(keyMaterial), Buffer.from(iv, 'base64url'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8');
  } catch {
    // The cause (bad tag, wrong key) says nothing useful and must not leak key details into logs.
    throw new SecretBoxError('The sealed secret could not be opened: wrong key or altered ciphertext');
  }
}
