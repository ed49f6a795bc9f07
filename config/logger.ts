import pino from 'pino';

export type Logger = pino.Logger;

/**
 * Database errors carry the statement and its parameters in their message and stack: knex prefixes
 * the driver's message with the SQL, values inlined (phone numbers, key hashes, emails), and
 * Postgres adds `detail` ("Key (email)=(…) already exists"), `where` and `internalQuery`; even the
 * server's own message may quote a value ('value "254712345678" is out of range'). Such an error is
 * logged by what identifies it and nothing else.
 */
const DATABASE_ERROR_FIELDS = ['code', 'sqlState', 'severity', 'constraint', 'schema', 'table', 'column', 'dataType', 'routine'] as const;

type ErrorLike = Error & Record<string, unknown>;

const isErrorLike = (value: unknown): value is ErrorLike => value instanceof Error;

/**
 * A Postgres error: pg's DatabaseError (knex passes it on with the SQL in its message) or a MikroORM
 * DriverException built from one. Both carry a five-character SQLSTATE `code` and the server's `severity`.
 */
export function isDatabaseError(err: unknown): boolean {
  if (!isErrorLike(err)) return false;
  return typeof err.code === 'string' && /^[0-9A-Z]{5}$/.test(err.code) && typeof err.severity === 'string';
}

const stackFramesOf = (stack: unknown) =>
  typeof stack === 'string'
    ? stack
        .split('\n')
        .filter((line) => /^\s+at /.test(line))
        .join('\n')
    : undefined;

const chainHasDatabaseError = (err: unknown, depth = 0): boolean =>
  isErrorLike(err) && depth < 10 && (isDatabaseError(err) || chainHasDatabaseError(err.cause, depth + 1));

/** `{ type, message, code, sqlState, constraint, table, column, …, stack }` with the message reduced to the SQLSTATE and stack frames only. */
function databaseErrorView(err: ErrorLike): Record<string, unknown> {
  const view: Record<string, unknown> = { type: err.constructor.name, message: `database error ${String(err.code)} (SQL and parameters not logged)` };
  for (const field of DATABASE_ERROR_FIELDS) if (err[field] !== undefined && err[field] !== null) view[field] = err[field];
  view.stack = stackFramesOf(err.stack);
  return view;
}

/**
 * pino's `err` serializer: the standard one, except that a database error anywhere in the `cause`
 * chain is logged as its class, SQLSTATE code, constraint, table and column, without the SQL text,
 * its parameters, `detail` or the server's message. Wrappers keep their own message and stack.
 */
export function serializeError(err: unknown, depth = 0): unknown {
  if (!isErrorLike(err) || !chainHasDatabaseError(err)) return pino.stdSerializers.err(err as Error);
  if (isDatabaseError(err)) return databaseErrorView(err);
  const view: Record<string, unknown> = { type: err.constructor.name, message: err.message, stack: err.stack };
  for (const [key, value] of Object.entries(err)) if (!isErrorLike(value) && view[key] === undefined) view[key] = value;
  view.cause = depth < 10 ? serializeError(err.cause, depth + 1) : undefined;
  return view;
}

/**
 * JSON logs; anything that could carry a secret is redacted before it is written, and database
 * errors never print their SQL or parameters. `destination` defaults to stdout (tests pass a stream).
 */
export function createLogger(level: string = 'info', destination?: pino.DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    level,
    serializers: { err: serializeError, error: serializeError },
    redact: {
      paths: [
        'req.headers.authorization',
        '*.authorization',
        '*.password',
        '*.api_password',
        '*.secret',
        '*.token',
        '*.passkey',
        // Statements and their bindings, wherever a caller logs them as fields.
        'sql',
        'params',
        'bindings',
        '*.sql',
        '*.params',
        '*.bindings',
      ],
      censor: '[redacted]',
    },
  };
  return destination ? pino(options, destination) : pino(options);
}
