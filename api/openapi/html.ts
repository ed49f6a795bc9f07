import type { JsonSchema, OpenApiDocument, OpenApiOperation } from './document';

/**
 * The /docs page: the OpenAPI document rendered server-side as one self-contained HTML page
 * (inline CSS, no scripts, no CDN: it must work on machines without internet).
 */

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
/** Plain text with `code` spans and blank-line paragraphs. */
const prose = (text: string) =>
  text
    .split(/\n\s*\n/)
    .map((p) => `<p>${escapeHtml(p).replace(/`([^`]+)`/g, '<code>$1</code>')}</p>`)
    .join('');

const AUTH_LABEL: Record<OpenApiOperation['x-imarapay-auth'], string> = {
  public: 'Public — no credentials',
  merchant: 'Merchant — API key (Basic) or dashboard session (Bearer)',
  dashboard: 'Merchant dashboard session only (Bearer) — API keys are refused',
  signedIn: 'Any dashboard session, merchant or admin (Bearer)',
  admin: 'ImaraPay admin session (Bearer)',
  darajaCallback: 'Daraja only — secret token in the path',
  darajaResult: 'Daraja only — secret token in the path',
  darajaReversal: 'Daraja only — secret per-reversal token in the path',
};

const SAFE_INTEGER_BOUND = Number.MAX_SAFE_INTEGER;

function typeOf(s: JsonSchema): string {
  if (Array.isArray(s.enum)) return s.enum.map((v: unknown) => JSON.stringify(v)).join(' | ');
  if (s.const !== undefined) return JSON.stringify(s.const);
  if (Array.isArray(s.anyOf)) return [...new Set(s.anyOf.map(typeOf))].join(' | ');
  if (s.type === 'array') return `${typeOf(s.items ?? {})}[]`;
  if (Array.isArray(s.type)) return s.type.join(' | ');
  return s.type ?? 'any';
}

function rulesOf(s: JsonSchema): string[] {
  const members: JsonSchema[] = Array.isArray(s.anyOf) ? s.anyOf : [s];
  const rules: string[] = [];
  for (const m of members) {
    if (m.minLength !== undefined) rules.push(`min length ${m.minLength}`);
    if (m.maxLength !== undefined) rules.push(`max length ${m.maxLength}`);
    if (m.minimum !== undefined && Math.abs(m.minimum) < SAFE_INTEGER_BOUND) rules.push(`min ${m.minimum}`);
    if (m.maximum !== undefined && Math.abs(m.maximum) < SAFE_INTEGER_BOUND) rules.push(`max ${m.maximum}`);
    if (m.exclusiveMinimum !== undefined) rules.push(`> ${m.exclusiveMinimum}`);
    if (m.format) rules.push(m.format);
    if (m.pattern) rules.push(`pattern ${m.pattern}`);
  }
  if (s.default !== undefined) rules.push(`default ${JSON.stringify(s.default)}`);
  return rules;
}

/** Rows for an object schema's fields, nested objects flattened as parent.child. */
function fieldRows(schema: JsonSchema, prefix = ''): string[] {
  const required: string[] = schema.required ?? [];
  return Object.entries<JsonSchema>(schema.properties ?? {}).flatMap(([name, s]) => {
    const row = `<tr><td><code>${escapeHtml(prefix + name)}</code></td><td>${escapeHtml(typeOf(s))}</td><td>${required.includes(name) ? 'required' : 'optional'}</td><td>${escapeHtml([s.description, ...rulesOf(s)].filter(Boolean).join(' · '))}</td></tr>`;
    return s.type === 'object' && s.properties ? [row, ...fieldRows(s, `${prefix}${name}.`)] : [row];
  });
}

const table = (head: string[], rows: string[]) =>
  rows.length === 0
    ? ''
    : `<table><thead><tr>${head.map((h) => `<th>${h}</th>`).join('')}</tr></thead><tbody>${rows.join('')}</tbody></table>`;

const anchorOf = (op: OpenApiOperation) => escapeHtml(op.operationId);

function renderOperation(method: string, path: string, op: OpenApiOperation): string {
  const params = op.parameters.map(
    (p) =>
      `<tr><td><code>${escapeHtml(p.name)}</code></td><td>${p.in}</td><td>${escapeHtml(typeOf(p.schema))}</td><td>${p.required ? 'required' : 'optional'}</td><td>${escapeHtml([p.description, ...rulesOf(p.schema)].filter(Boolean).join(' · '))}</td></tr>`,
  );
  const [mediaType, bodyContent] = Object.entries(op.requestBody?.content ?? {})[0] ?? [];
  const body = bodyContent?.schema;
  const responses = Object.entries(op.responses).map(([status, r]) => {
    const content = r.content ? Object.values(r.content)[0] : undefined;
    const examples = content?.examples
      ? Object.values(content.examples)
      : content?.example !== undefined
        ? [{ summary: '', value: content.example }]
        : [];
    const blocks = examples
      .map(
        (e) =>
          `${e.summary ? `<div class="example-label">${escapeHtml(e.summary)}</div>` : ''}<pre>${escapeHtml(JSON.stringify(e.value, null, 2))}</pre>`,
      )
      .join('');
    // A success's declared shape: its fields (an array's, for a list), beside the example.
    const shape = status.startsWith('2') ? content?.schema : undefined;
    const fields = shape ? table(['Field', 'Type', '', 'Description'], fieldRows(shape.items ?? shape)) : '';
    return `<div class="response"><span class="status s${status[0]}">${status}</span> ${escapeHtml(r.description)}${fields}${blocks}</div>`;
  });
  return `<section class="op" id="${anchorOf(op)}">
<h3><span class="method ${method}">${method.toUpperCase()}</span> <code class="path">${escapeHtml(path)}</code></h3>
<p class="summary">${escapeHtml(op.summary)}</p>
<p class="auth auth-${op['x-imarapay-auth']}">${escapeHtml(AUTH_LABEL[op['x-imarapay-auth']])}</p>
${op.description ? prose(op.description) : ''}
${params.length ? `<h4>Parameters</h4>${table(['Name', 'In', 'Type', '', 'Description'], params)}` : ''}
${body ? `<h4>Request body (${mediaType === 'multipart/form-data' ? 'multipart/form-data' : 'JSON'})</h4>${table(['Field', 'Type', '', 'Description'], fieldRows(body))}` : ''}
<h4>Responses</h4>${responses.join('')}
</section>`;
}

const STYLE = `
body{font:15px/1.5 system-ui,-apple-system,Segoe UI,sans-serif;margin:0;color:#1b2430;display:flex}
nav{width:290px;flex:none;height:100vh;position:sticky;top:0;overflow:auto;background:#f4f6f8;border-right:1px solid #dde2e7;padding:16px;box-sizing:border-box;font-size:13px}
nav h2{font-size:12px;text-transform:uppercase;color:#5b6b7b;margin:16px 0 4px}nav a{display:block;color:#1b2430;text-decoration:none;padding:2px 0}nav a:hover{text-decoration:underline}
main{flex:1;padding:24px 40px;max-width:980px}h1{margin-top:0}h2.tag{border-bottom:2px solid #dde2e7;padding-bottom:4px;margin-top:40px}
.op{border:1px solid #dde2e7;border-radius:8px;padding:12px 20px;margin:16px 0}.op h3{margin:4px 0}
.method{display:inline-block;min-width:56px;text-align:center;border-radius:4px;color:#fff;font-size:12px;padding:2px 6px}
.get{background:#2f7d32}.post{background:#1565c0}.put{background:#8e5a00}.patch{background:#6a1b9a}.delete{background:#b71c1c}
.summary{font-weight:600;margin:6px 0}.auth{font-size:13px;display:inline-block;padding:1px 8px;border-radius:10px;background:#eef1f4}
.auth-public{background:#e8f5e9}.auth-admin{background:#fdecea}.auth-dashboard{background:#fff4e5}
table{border-collapse:collapse;width:100%;font-size:13px;margin:6px 0}th,td{border:1px solid #dde2e7;padding:4px 8px;text-align:left;vertical-align:top}th{background:#f4f6f8}
pre{background:#0f1720;color:#e6edf3;padding:10px;border-radius:6px;overflow:auto;font-size:12px}code{font-family:ui-monospace,Menlo,Consolas,monospace}
.response{margin:8px 0}.status{font-weight:700;padding:0 6px;border-radius:4px}.s2{background:#e8f5e9}.s4{background:#fff4e5}.s5{background:#fdecea}.example-label{font-size:12px;color:#5b6b7b;margin-top:6px}
`;

/** The whole page. Every endpoint of the document appears, grouped by its first tag. */
export function renderDocsPage(doc: OpenApiDocument): string {
  const operations = Object.entries(doc.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, op]) => ({ path, method, op: op as OpenApiOperation })),
  );
  const byTag = doc.tags
    .map((t) => ({ tag: t.name, ops: operations.filter((o) => o.op.tags[0] === t.name) }))
    .filter((g) => g.ops.length > 0);
  const nav = byTag
    .map(
      (g) =>
        `<h2>${escapeHtml(g.tag)}</h2>${g.ops.map((o) => `<a href="#${anchorOf(o.op)}">${o.method.toUpperCase()} ${escapeHtml(o.path)}</a>`).join('')}`,
    )
    .join('');
  const sections = byTag
    .map(
      (g) =>
        `<h2 class="tag">${escapeHtml(g.tag)}</h2>${g.ops.map((o) => renderOperation(o.method, o.path, o.op)).join('\n')}`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(doc.info.title)} documentation</title><style>${STYLE}</style></head>
<body><nav><strong>${escapeHtml(doc.info.title)}</strong> <small>${escapeHtml(doc.info.version)}</small><p><a href="/api/openapi.json">OpenAPI 3.1 JSON</a></p>${nav}</nav>
<main><h1>${escapeHtml(doc.info.title)}</h1>${prose(doc.info.description)}
<h2>Authentication</h2><ul>
<li><strong>API key</strong>: <code>Authorization: Basic base64(API_USERNAME:API_PASSWORD)</code>, from the API Keys page.</li>
<li><strong>Dashboard session</strong>: <code>Authorization: Bearer &lt;session token&gt;</code> after signing in.</li>
<li><strong>Admin session</strong>: a dashboard session of an ImaraPay admin.</li></ul>
${sections}
</main></body></html>`;
}
