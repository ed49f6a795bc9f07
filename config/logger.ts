import pino from 'pino';

export type Logger = pino.Logger;

/** JSON logs; anything that could carry a secret is redacted before it is written. */
export function createLogger(level: string = 'info'): Logger {
  return pino({
    level,
    redact: {
      paths: ['req.headers.authorization', '*.authorization', '*.password', '*.api_password', '*.secret', '*.token', '*.passkey'],
      censor: '[redacted]',
    },
  });
}
