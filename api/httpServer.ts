import http from 'node:http';
import type { Duplex } from 'node:stream';
import type Koa from 'koa';

export interface HttpServerOptions {
  /** How long a client may take to send a whole request, headers and body, in milliseconds. */
  requestTimeoutMs: number;
}

// Node answers these itself, before Koa sees the request; they still get the documented JSON shape.
const CLIENT_ERRORS: Record<string, { status: number; reason: string; code: string; error: string }> = {
  ERR_HTTP_REQUEST_TIMEOUT: {
    status: 408,
    reason: 'Request Timeout',
    code: 'request_timeout',
    error: 'The request was not received in time',
  },
  HPE_HEADER_OVERFLOW: {
    status: 431,
    reason: 'Request Header Fields Too Large',
    code: 'headers_too_large',
    error: 'The request headers are too large',
  },
};
const BAD_REQUEST = {
  status: 400,
  reason: 'Bad Request',
  code: 'validation_failed',
  error: 'The request could not be parsed as HTTP',
};

/**
 * The HTTP server for a Koa app: a slow or stalled client (headers or body) is answered 408 within
 * `requestTimeoutMs` instead of holding a connection for Node's default five minutes, and every
 * answer Node gives on its own (408, 431, 400) is `{ error, code }` JSON like the API's.
 */
export function createHttpServer(app: Koa, { requestTimeoutMs }: HttpServerOptions): http.Server {
  const server = http.createServer(
    {
      requestTimeout: requestTimeoutMs,
      headersTimeout: Math.min(requestTimeoutMs, 10_000),
      // How often Node checks those timeouts (its default, 30 s, would make them that coarse).
      connectionsCheckingInterval: Math.max(250, Math.min(1_000, requestTimeoutMs / 4)),
    },
    app.callback(),
  );
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => answerClientError(err, socket));
  // Node hands CONNECT (a proxy tunnel request) to this event instead of the app and, without a
  // listener, drops the connection unanswered; this API is no proxy, and says so like for any method it lacks.
  server.on('connect', (_req: http.IncomingMessage, socket: Duplex) => answerConnect(socket));
  return server;
}

function answerConnect(socket: Duplex): void {
  socket.on('error', () => socket.destroy());
  writeJsonAnswer(socket, {
    status: 501,
    reason: 'Not Implemented',
    code: 'not_implemented',
    error: 'CONNECT is not a method this API implements',
  });
}

function answerClientError(err: NodeJS.ErrnoException, socket: Duplex): void {
  if (!socket.writable || (err.code === 'ECONNRESET' && !socket.readable)) {
    socket.destroy();
    return;
  }
  writeJsonAnswer(socket, CLIENT_ERRORS[err.code ?? ''] ?? BAD_REQUEST);
}

/** Writes a whole HTTP answer with an `{ error, code }` body on a raw socket, and closes it. */
function writeJsonAnswer(
  socket: Duplex,
  { status, reason, code, error }: { status: number; reason: string; code: string; error: string },
): void {
  const body = JSON.stringify({ error, code });
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

/**
 * Stops `server` gracefully: no new connections from now on, idle keep-alive connections closed as
 * they become idle, requests in flight answered in full. After `graceMs` milliseconds whatever is
 * still open is cut. Resolves `drained` when every request finished in time, `forced` otherwise.
 */
export function drainHttpServer(server: http.Server, graceMs: number): Promise<'drained' | 'forced'> {
  return new Promise((resolve) => {
    let forced = false;
    // A keep-alive connection goes idle once its last answer is written; close it then, not at the deadline.
    const idle = setInterval(() => server.closeIdleConnections(), 100);
    const deadline = setTimeout(() => {
      forced = true;
      server.closeAllConnections();
    }, graceMs);
    server.close(() => {
      clearInterval(idle);
      clearTimeout(deadline);
      resolve(forced ? 'forced' : 'drained');
    });
  });
}
