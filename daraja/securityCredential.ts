import { X509Certificate, constants, createPublicKey, publicEncrypt } from 'node:crypto';

/** The certificate could not be read, or the password is empty: no SecurityCredential can be made. */
export class SecurityCredentialError extends Error {
  readonly code = 'security_credential_unavailable';
  override readonly name = 'SecurityCredentialError';
}

/**
 * Daraja's SecurityCredential: base64(RSA PKCS#1 v1.5 encrypt(initiator password, M-Pesa's public
 * certificate)). Safaricom publishes one certificate for the sandbox and another for production
 * (developer portal, "Security Credentials"); ImaraPay takes it as configuration and never ships one.
 * PKCS#1 v1.5 padding is random, so every call gives a different credential for the same password:
 * M-Pesa decrypts it, it does not compare ciphertexts.
 *
 * @param initiatorPassword the initiator's M-Pesa org-portal password, in the clear (never logged)
 * @param certificatePem an X.509 certificate (or a bare public key) in PEM
 * @throws SecurityCredentialError when the PEM holds no usable RSA public key or the password is empty
 */
export function securityCredential(initiatorPassword: string, certificatePem: string): string {
  if (initiatorPassword === '') throw new SecurityCredentialError('The initiator password is empty.');
  let key;
  try {
    key = certificatePem.includes('BEGIN CERTIFICATE')
      ? new X509Certificate(certificatePem).publicKey
      : createPublicKey(certificatePem);
  } catch {
    throw new SecurityCredentialError('The M-Pesa certificate is not a readable PEM certificate or public key.');
  }
  if (key.asymmetricKeyType !== 'rsa') throw new SecurityCredentialError('The M-Pesa certificate is not an RSA key.');
  return publicEncrypt({ key, padding: constants.RSA_PKCS1_PADDING }, Buffer.from(initiatorPassword, 'utf8')).toString(
    'base64',
  );
}
