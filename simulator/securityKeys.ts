import 'reflect-metadata';
import { constants, createPrivateKey, privateDecrypt, webcrypto, type KeyObject } from 'node:crypto';
import * as x509 from '@peculiar/x509';

/** The simulator's stand-in for M-Pesa's key pair: its certificate is what SecurityCredentials are encrypted to. */
export interface SecurityKeys {
  /** PEM X.509 certificate (self-signed, RSA 2048), served on the control API. */
  certificatePem: string;
  /** Opens a SecurityCredential; null when it was not encrypted to this certificate or is not PKCS#1 v1.5. */
  decrypt(securityCredential: string): string | null;
}

/**
 * Removes PKCS#1 v1.5 type-2 padding (RFC 8017 §7.2.2): 0x00 0x02 PS(≥ 8 non-zero bytes) 0x00 M.
 * Done by hand because Node refuses RSA_PKCS1_PADDING for private decryption (CVE-2023-46809) on the
 * OpenSSL it ships; the simulator is a test double, so constant time does not matter here.
 */
function unpad(block: Buffer): Buffer | null {
  if (block.length < 11 || block[0] !== 0x00 || block[1] !== 0x02) return null;
  const separator = block.indexOf(0x00, 2);
  if (separator < 10) return null;
  return block.subarray(separator + 1);
}

/** Generates a fresh key pair and self-signed certificate (a new one at every simulator start). */
export async function createSecurityKeys(): Promise<SecurityKeys> {
  x509.cryptoProvider.set(webcrypto as never);
  const algorithm = {
    name: 'RSASSA-PKCS1-v1_5',
    hash: 'SHA-256',
    publicExponent: new Uint8Array([1, 0, 1]),
    modulusLength: 2048,
  };
  const keys = await webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify']);
  const now = Date.now();
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: now.toString(16),
    name: 'CN=ImaraPay Daraja simulator, O=ImaraPay sandbox',
    notBefore: new Date(now - 60_000),
    notAfter: new Date(now + 365 * 24 * 3600 * 1000),
    signingAlgorithm: algorithm,
    keys: keys as never,
  });
  // The same RSA key decrypts: M-Pesa's certificate is used for encryption, whatever its signature algorithm.
  const privateKey = createPrivateKey({
    key: Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey)),
    format: 'der',
    type: 'pkcs8',
  });
  return { certificatePem: certificate.toString('pem'), decrypt: (credential) => decryptWith(privateKey, credential) };
}

function decryptWith(privateKey: KeyObject, securityCredential: string): string | null {
  if (typeof securityCredential !== 'string' || !/^[A-Za-z0-9+/]+={0,2}$/.test(securityCredential)) return null;
  try {
    const block = privateDecrypt(
      { key: privateKey, padding: constants.RSA_NO_PADDING },
      Buffer.from(securityCredential, 'base64'),
    );
    return unpad(block)?.toString('utf8') ?? null;
  } catch {
    return null;
  }
}
