import pino from 'pino';
import pretty from 'pino-pretty';

export type Logger = pino.Logger;

/**
 * Database errors carry the statement and its parameters in their message and stack: knex prefixes
 * the driver's message with the SQL, values inlined (phone numbers, key hashes, emails), and
 * Postgres adds `detail` ("Key (email)=(…) already exists"), `where` and `internalQuery`; even the
 * server's own message may quote a value ('value "254712345678" is out of range'). Such an error is
 * logged by what identifies it and nothing else.
 */
const DATABASE_ERROR_FIELDS = [
  'code',
  'sqlState',
  'severity',
  'constraint',
  'schema',
  'table',
  'column',
  'dataType',
  'routine',
] as const;

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
  const view: Record<string, unknown> = {
    type: err.constructor.name,
    message: `database error ${String(err.code)} (SQL and parameters not logged)`,
  };
  for (const field of DATABASE_ERROR_FIELDS)
    if (err[field] !== undefined && err[field] !== null) view[field] = err[field];
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

/** `json`: one JSON object a line, for machines. `pretty`: one readable, coloured line each, for a person watching. */
export type LogFormat = 'json' | 'pretty';

/**
 * How logs are written when nobody says: `LOG_FORMAT` (`json` or `pretty`) when set, else pretty
 * when stdout is a terminal. Never pretty in production (`APP_ENV` or `NODE_ENV`), where a log
 * collector reads the lines. `npm start`'s children write to a pipe, so it passes its own choice
 * down through `LOG_FORMAT`.
 */
export function logFormatOf(env: NodeJS.ProcessEnv = process.env, isTTY = process.stdout.isTTY === true): LogFormat {
  if (env.APP_ENV === 'production' || env.NODE_ENV === 'production') return 'json';
  if (env.LOG_FORMAT === 'json' || env.LOG_FORMAT === 'pretty') return env.LOG_FORMAT;
  return isTTY ? 'pretty' : 'json';
}

/**
 * Logs in `format` (see logFormatOf; JSON whenever `destination` is given); anything that could
 * carry a secret is redacted before it is written, and database errors never print their SQL or
 * parameters. `destination` defaults to stdout (tests pass a stream).
 */
export function createLogger(
  level: string = 'info',
  destination?: pino.DestinationStream,
  format: LogFormat = destination ? 'json' : logFormatOf(),
): Logger {
  const options: pino.LoggerOptions = {
    level,
    serializers: { err: serializeError, error: serializeError },
    redact: {
      paths: [
        'req.headers.authorization',
        // Top-level fields and one level down: pino's `*` matches exactly one level.
        'authorization',
        'password',
        'api_password',
        'secret',
        'token',
        'passkey',
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
  if (format === 'pretty') {
    // In-process and synchronous, so the last lines before an exit are not lost; redaction runs first.
    const lines = pretty({
      colorize: true,
      singleLine: true,
      translateTime: 'SYS:HH:MM:ss.l',
      ignore: 'pid,hostname',
      sync: true,
      destination,
    });
    return pino(options, lines);
  }
  return destination ? pino(options, destination) : pino(options);
}
