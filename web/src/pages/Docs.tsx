import { useState, type ReactNode } from 'react';
import { PageHeader } from '../components/Layout';
import { kes } from '../format';
import { usePricing } from '../queries';
import {
  CALLBACK_PAYLOAD,
  CHANNEL_OBJECT,
  PAYMENT_LINK_OBJECT,
  REVERSAL_RESPONSE,
  REVERSAL_WEBHOOK,
  STATUS_RESPONSE,
  SUCCESS_RESPONSE,
  TRANSACTION_OBJECT,
} from './docs/examples';
import {
  AUTH,
  CALLBACK,
  CHANNELS,
  ERRORS,
  PRICING,
  STATUS,
  STK_PUSH,
  STK_PUSH_USAGE,
  TRANSACTIONS,
  type Sample,
} from './docs/snippets';

/** The seed's narrative API documentation, with its samples; /docs is the generated reference. */
export default function DocsPage() {
  const baseUrl = `${window.location.origin}/api`;
  const pricing = usePricing();
  return (
    <section className="docs">
      <PageHeader title="API Documentation" subtitle="Integrate ImaraPay M-Pesa payments into your application" />
      <p>
        Every endpoint, field and error is also in the <a href="/docs">generated API reference</a> (and{' '}
        <a href="/api/openapi.json">OpenAPI 3.1 document</a>).
      </p>
      <nav aria-label="On this page" className="card toc">
        <ul>
          {[
            'Overview',
            'Authentication',
            'Quick Start',
            'Initiate STK Push',
            'Check Transaction Status',
            'Webhooks',
            'Payment Channels',
            'Transactions',
            'Reversals',
            'Error Codes',
            'Pricing',
          ].map((s) => (
            <li key={s}>
              <a href={`#${anchor(s)}`}>{s}</a>
            </li>
          ))}
        </ul>
      </nav>
      <Section title="Overview">
        <p>
          ImaraPay lets you trigger M-Pesa STK Push payments directly to your customers from your backend. Money is
          deposited straight into your registered payment channel (Till, Paybill, or Bank account) — you are charged a
          small per-transaction service fee from your ImaraPay service wallet.
        </p>
        <p>All API requests use HTTPS. The base URL for every endpoint is:</p>
        <pre>
          <code>{baseUrl}</code>
        </pre>
      </Section>
      <Section title="Authentication">
        <p>
          Every API request (except public endpoints like /api/pricing) requires an API key pair. You can create keys on
          the API Keys page inside your ImaraPay dashboard.
        </p>
        <p>
          When you create a key you receive an API Username and an API Password. Combine them into an HTTP Basic Auth
          header:
        </p>
        <pre>
          <code>Authorization: Basic base64(API_USERNAME:API_PASSWORD)</code>
        </pre>
        <Code sample={AUTH} />
      </Section>
      <Section title="Quick Start">
        <ol>
          <li>Create an account on ImaraPay and complete identity verification (KYC).</li>
          <li>Go to Payment Channels and add your Till, Paybill, or Bank account.</li>
          <li>Go to API Keys and create a key — copy the Username, Password, and Basic Auth token.</li>
          <li>Top up your service wallet with a small amount to cover transaction fees.</li>
          <li>Call POST /api/stk-push with your channel ID, the customer's phone, and the amount.</li>
        </ol>
      </Section>
      <Section title="Initiate STK Push">
        <p>
          <code>POST /api/stk-push</code> sends an M-Pesa payment prompt to the customer's phone. Money is deposited
          directly into your payment channel; the fee is reserved from your service wallet at the time of the request
          and refunded if the payment fails.
        </p>
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Field</th>
                <th scope="col">Type</th>
                <th scope="col">Description</th>
              </tr>
            </thead>
            <tbody>
              <tr>
                <td>account_id (required)</td>
                <td>integer</td>
                <td>ID of the payment channel to deposit funds into. Retrieve from GET /api/accounts.</td>
              </tr>
              <tr>
                <td>phone_number (required)</td>
                <td>string</td>
                <td>Customer's M-Pesa phone number: 0712345678, 254712345678, +254712345678.</td>
              </tr>
              <tr>
                <td>amount (required)</td>
                <td>integer</td>
                <td>Amount in KES, whole numbers: 1 to 250,000 (M-Pesa's limit per transaction).</td>
              </tr>
              <tr>
                <td>external_reference (optional)</td>
                <td>string</td>
                <td>Your own order/invoice reference, stored on the transaction for reconciliation.</td>
              </tr>
              <tr>
                <td>description (optional)</td>
                <td>string</td>
                <td>Short description shown in M-Pesa, at most 13 characters. Defaults to Payment.</td>
              </tr>
            </tbody>
          </table>
        </div>
        <Code sample={STK_PUSH} />
        <p>Example usage:</p>
        <Code sample={STK_PUSH_USAGE} />
        <Json title="Success response" value={SUCCESS_RESPONSE} />
      </Section>
      <Section title="Check Transaction Status">
        <p>
          M-Pesa payments are asynchronous. After initiating an STK Push, poll this endpoint every 3–5 seconds until the
          status is completed or failed. Stop polling after 90 seconds.
        </p>
        <Code sample={STATUS} />
        <Json title="Status response" value={STATUS_RESPONSE} />
        <p>
          The status field will be one of: <code>pending</code> · <code>completed</code> · <code>failed</code>
        </p>
      </Section>
      <Section title="Webhooks">
        <p>
          Instead of polling, set a Callback URL on your <a href="/profile">Profile</a>. ImaraPay POSTs the payment
          result to your URL as soon as M-Pesa confirms it, in M-Pesa's own callback shape, signed in the{' '}
          <code>ImaraPay-Signature</code> header. When ResultCode is 0 the payment succeeded; any other value is a
          failure — use ResultDesc as the message.
        </p>
        <Json title="Callback payload" value={CALLBACK_PAYLOAD} />
        <h3>Handling the callback</h3>
        <Code sample={CALLBACK} />
      </Section>
      <Section title="Payment Channels">
        <p>
          A payment channel is a Till, Paybill, or Bank account where funds are deposited. You must pass a channel's id
          when initiating an STK Push.
        </p>
        <h3>List your channels</h3>
        <Code sample={CHANNELS} />
        <Json title="Channel object" value={CHANNEL_OBJECT} />
        <h3>Add a channel</h3>
        <p>
          <code>POST /api/accounts</code> with:
        </p>
        <FieldTable
          rows={[
            ['account_type', 'required', 'string', 'till · paybill · bank'],
            [
              'account_number',
              'required',
              'string',
              'Till number, Paybill number (5 to 7 digits), or bank account number.',
            ],
            [
              'bank_name',
              'bank only',
              'string',
              'Bank name (e.g. Equity Bank). Call GET /api/banks for the full list.',
            ],
            [
              'account_reference',
              'optional',
              'string',
              'Account reference sent to M-Pesa. Defaults to account_number.',
            ],
          ]}
        />
      </Section>
      <Section title="Payment Links">
        <p>
          A payment link is a checkout page at its own URL that anyone can open to pay you by M-Pesa: share it or print
          its QR code. Each payment through it is an ordinary payment: the same fee, webhook (with <code>link_id</code>)
          and transaction list. Create links on the Payment links page or with <code>POST /api/payment-links</code>{' '}
          (send an <code>Idempotency-Key</code> header to make retries safe):
        </p>
        <FieldTable
          rows={[
            ['description', 'required', 'string', 'What is paid for, at most 13 characters (shown on the prompt).'],
            ['amount', 'optional', 'integer', 'A fixed amount in KES; leave it out to let the customer enter one.'],
            ['min_amount, max_amount', 'optional', 'integer', 'Bounds of the amount the customer enters.'],
            ['account_id', 'optional', 'integer', 'The channel paid into; your oldest active channel by default.'],
            ['account_reference', 'optional', 'string', "At most 12 characters; the channel's by default."],
            ['expires_at', 'optional', 'string', 'ISO 8601 time after which the link takes no payment.'],
            ['single_use', 'optional', 'boolean', 'Close the link once it is paid.'],
            ['metadata', 'optional', 'object', 'Key/value pairs copied onto every payment of the link.'],
          ]}
        />
        <Json title="Payment link object" value={PAYMENT_LINK_OBJECT} />
        <p>
          <code>GET /api/payment-links</code> lists your links with their totals;{' '}
          <code>POST /api/payment-links/&#123;id&#125;/pause</code>, <code>/resume</code> and <code>/archive</code>{' '}
          change their state; <code>GET /api/payment-links/&#123;id&#125;/payments</code> gives a link&apos;s payments
          and totals.
        </p>
        <h3>The checkout page</h3>
        <p>
          The link&apos;s <code>url</code> opens a light page, in English and Kiswahili, where the customer enters their
          M-Pesa number (and the amount, for an open link), gets the prompt, and sees the result with what to do next:
          cancelled (1032), timed out (1037), insufficient balance (1) or wrong PIN (2001). Prompts are limited per
          link, per address and per phone number, and a phone with a prompt already open gets no second one. Links of an
          account whose identity verification is not approved take no payment.
        </p>
        <h3>QR codes</h3>
        <p>
          <code>GET /api/payment-links/&#123;id&#125;/qr.png</code> (or <code>qr.svg</code>) is the link&apos;s URL as a
          QR code any phone camera opens. <code>GET /api/payment-links/&#123;id&#125;/mpesa-qr.png</code> is
          Safaricom&apos;s Dynamic QR for your till or paybill, scanned in the M-Pesa app itself (pass{' '}
          <code>amount</code> for an open link); such payments go straight to your till or paybill and are not tracked
          by ImaraPay.
        </p>
      </Section>
      <Section title="Transactions">
        <p>
          Query past transactions for reconciliation, reporting, or showing payment history: filter by status,
          account_id, date, and search by receipt, phone or reference.
        </p>
        <h3>List transactions</h3>
        <FieldTable
          header="Query param"
          rows={[
            ['status', 'optional', 'string', 'pending · completed · failed'],
            ['account_id', 'optional', 'integer', 'Only this payment channel.'],
            ['q', 'optional', 'string', 'Search by M-Pesa receipt, phone number or your reference.'],
            ['from, to', 'optional', 'string', 'Dates (YYYY-MM-DD, Nairobi time) or ISO timestamps.'],
            [
              'limit',
              'optional',
              'integer',
              '1 to 1,000; 100 by default. The X-Next-Cursor header holds the cursor of the next page.',
            ],
            ['cursor', 'optional', 'string', 'The X-Next-Cursor header of the previous page.'],
          ]}
        />
        <Code sample={TRANSACTIONS} />
        <Json title="Transaction object" value={TRANSACTION_OBJECT} />
      </Section>
      <Section title="Reversals">
        <p>
          <code>POST /api/transactions/{'{id}'}/reversal</code> returns a completed payment&rsquo;s full amount to the
          customer through M-Pesa&rsquo;s Reversal API. A payment has at most one reversal: asking again, with the same
          Idempotency-Key or another, answers that same reversal (200, <code>created: false</code>). The answer is 202
          once the reversal is recorded and started; M-Pesa&rsquo;s result comes later, as the{' '}
          <code>reversal.succeeded</code> or <code>reversal.failed</code> webhook, and on{' '}
          <code>GET /api/transactions/{'{id}'}/reversal</code>.
        </p>
        <p>
          <strong>What you need:</strong> the payment channel&rsquo;s M-Pesa initiator. On the M-Pesa organisation
          portal, create an API operator of your till or paybill with the &ldquo;Org Reversals Initiator&rdquo; role,
          then enter its name and password under Payment channels or with{' '}
          <code>PUT /api/accounts/{'{id}'}/initiator</code>. Without it the answer is 409{' '}
          <code>initiator_required</code>.
        </p>
        <p>
          <strong>Fees:</strong> ImaraPay&rsquo;s fee for the payment is kept; a reversal costs no new fee. The fee is
          refunded only when a payment does not complete (the customer cancels, or the push fails).
        </p>
        <FieldTable
          rows={[
            [
              'remarks',
              'optional',
              'string',
              '2 to 100 printable characters; M-Pesa shows it. A default names the payment.',
            ],
          ]}
        />
        <FieldTable
          header="Status"
          rows={[
            ['requested', '', '', 'Sent to M-Pesa (or about to be); waiting for its result.'],
            ['reversed', '', '', 'M-Pesa returned the money to the customer (also when it had already been reversed).'],
            ['failed', '', '', 'M-Pesa refused it (e.g. the till lacks the funds, wrong initiator): nothing moved.'],
            [
              'in_doubt',
              '',
              '',
              "No result and no record from M-Pesa within the window: ImaraPay staff check M-Pesa's portal; a late result still settles it.",
            ],
          ]}
        />
        <Json title="Reversal response" value={REVERSAL_RESPONSE} />
        <Json title="reversal.succeeded webhook" value={REVERSAL_WEBHOOK} />
        <p>
          A payment being reversed shows <code>reversal_status</code> (<code>requested</code>, <code>reversed</code>,{' '}
          <code>failed</code> or <code>in_doubt</code>) on its status, in the transaction list and its CSV, and as{' '}
          <code>reversalStatus</code> on <code>/api/v1/payments</code>; its <code>status</code> stays{' '}
          <code>completed</code>.
        </p>
      </Section>
      <Section title="Error Codes">
        <div className="table-wrap">
          <table>
            <caption>HTTP errors</caption>
            <thead>
              <tr>
                <th scope="col">Status</th>
                <th scope="col">Meaning</th>
              </tr>
            </thead>
            <tbody>
              {[
                ['400', 'Missing or invalid parameters. Check the error field (and field) for details.'],
                ['401', 'Missing or invalid API credentials.'],
                ['402', 'Insufficient service wallet balance to cover the fee.'],
                ['403', 'KYC verification required, or resource belongs to another account.'],
                ['404', 'Channel, transaction, or resource does not exist.'],
                ['500', 'Unexpected error. Retry once — if it persists, contact support.'],
              ].map(([status, meaning]) => (
                <tr key={status}>
                  <td>{status}</td>
                  <td>{meaning}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <div className="table-wrap">
          <table>
            <caption>M-Pesa result codes</caption>
            <thead>
              <tr>
                <th scope="col">Code</th>
                <th scope="col">Cause</th>
                <th scope="col">Action</th>
              </tr>
            </thead>
            <tbody>
              {[
                ['0', 'Success', 'Payment confirmed. Credit the customer.'],
                ['1032', 'Request cancelled by user', 'Ask the customer to try again.'],
                [
                  '1037',
                  'No response from customer (timeout)',
                  'Prompt timed out on their phone. Ask them to try again.',
                ],
                ['1', 'Insufficient balance', 'Customer has insufficient M-Pesa balance.'],
                ['17', 'M-Pesa system error', 'Retry after a few seconds.'],
                ['26', 'Request throttled', 'Too many requests. Back off and retry.'],
                ['2001', 'Invalid initiator', 'Check your Daraja credentials configuration.'],
              ].map(([code, cause, action]) => (
                <tr key={code}>
                  <td>{code}</td>
                  <td>{cause}</td>
                  <td>{action}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <Code sample={ERRORS} />
      </Section>
      <Section title="Pricing">
        <p>
          ImaraPay charges a flat per-transaction fee based on the payment amount. Fees are reserved from your service
          wallet when the STK push is sent, and refunded automatically if the customer cancels or the push fails.
        </p>
        {pricing.data && (
          <ul>
            {pricing.data.map((t) => (
              <li key={t.min}>
                {kes(t.min)} – {kes(t.max)}: {kes(t.fee)}
              </li>
            ))}
          </ul>
        )}
        <Code sample={PRICING} />
      </Section>
    </section>
  );
}

const anchor = (title: string) => title.toLowerCase().replace(/[^a-z]+/g, '-');

function Section({ title, children }: { title: string; children: ReactNode }) {
  return (
    <section id={anchor(title)} aria-labelledby={`${anchor(title)}-title`}>
      <h2 id={`${anchor(title)}-title`}>{title}</h2>
      {children}
    </section>
  );
}

/** A response or payload as JSON, under its title. */
function Json({ title, value }: { title: string; value: unknown }) {
  return (
    <>
      <h3>{title}</h3>
      <pre tabIndex={0} className="json-sample">
        <code>{JSON.stringify(value, null, 2)}</code>
      </pre>
    </>
  );
}

/** Request fields or query parameters: name, whether required, type and meaning. */
function FieldTable({
  rows,
  header = 'Field',
}: {
  rows: readonly [string, string, string, string][];
  header?: string;
}) {
  return (
    <div className="table-wrap">
      <table>
        <thead>
          <tr>
            <th scope="col">{header}</th>
            <th scope="col">Type</th>
            <th scope="col">Description</th>
          </tr>
        </thead>
        <tbody>
          {rows.map(([name, presence, type, description]) => (
            <tr key={name}>
              <td>
                <code>{name}</code> <span className="muted">{presence}</span>
              </td>
              <td>{type}</td>
              <td>{description}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Code({ sample }: { sample: Sample }) {
  const [language, setLanguage] = useState<'js' | 'py'>('js');
  return (
    <div className="code-sample">
      <div role="group" aria-label="Language">
        <button
          type="button"
          className={language === 'js' ? 'small' : 'secondary small'}
          aria-pressed={language === 'js'}
          onClick={() => setLanguage('js')}
        >
          JavaScript
        </button>{' '}
        <button
          type="button"
          className={language === 'py' ? 'small' : 'secondary small'}
          aria-pressed={language === 'py'}
          onClick={() => setLanguage('py')}
        >
          Python
        </button>
      </div>
      <pre tabIndex={0}>
        <code>{sample[language]}</code>
      </pre>
    </div>
  );
}
