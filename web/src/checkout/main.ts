import { STRINGS, fill, type Lang, type Strings } from './strings';
import type { CheckoutLink, CheckoutPayment, CheckoutStarted } from '../api/answers';
import './checkout.css';

/**
 * The hosted checkout page of a payment link (`/pay/<token>`): a light page of its own, apart from
 * the dashboard's bundle, for customers on a phone and a slow connection. It reads the link, sends
 * the prompt, then polls the one payment it started until M-Pesa has decided, and tells the
 * customer what to do next. No framework: the DOM is built once and repainted from `state`.
 */

type NextStep = CheckoutPayment['next_step'];

type Phase = 'loading' | 'form' | 'sending' | 'waiting' | 'result' | 'closed';

interface State {
  lang: Lang;
  phase: Phase;
  link: CheckoutLink | null;
  /** A message key and its values, shown in the alert region. */
  error: { key: keyof Strings; values?: Record<string, string | number> } | null;
  /** Which field the error is about, for aria-invalid. */
  errorField: 'phone' | 'amount' | null;
  nextStep: NextStep | null;
  receipt: string | null;
}

const POLL_MS = 2500;
const token = decodeURIComponent(location.pathname.split('/')[2] ?? '');
const api = `/api/pay/${encodeURIComponent(token)}`;
const storedLang = (() => {
  try {
    return localStorage.getItem('imarapay.lang');
  } catch {
    return null;
  }
})();

const state: State = {
  lang: storedLang === 'sw' || (storedLang === null && navigator.language.toLowerCase().startsWith('sw')) ? 'sw' : 'en',
  phase: 'loading',
  link: null,
  error: null,
  errorField: null,
  nextStep: null,
  receipt: null,
};

const kes = (n: number) => `KES ${n.toLocaleString('en-KE')}`;

function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Partial<HTMLElementTagNameMap[K]> & Record<string, unknown> = {},
  ...children: Node[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key.startsWith('aria-') || key === 'for' || key === 'role' || key === 'lang')
      node.setAttribute(key, String(value));
    else (node as unknown as Record<string, unknown>)[key] = value;
  }
  node.append(...children);
  return node;
}

// The page, built once.
const root = document.getElementById('checkout')!;
const langEn = el('button', { type: 'button', className: 'lang', lang: 'en' }, document.createTextNode('English'));
const langSw = el('button', { type: 'button', className: 'lang', lang: 'sw' }, document.createTextNode('Kiswahili'));
const langGroup = el('div', { role: 'group', className: 'langs' }, langEn, langSw);
const title = el('h1');
const payingLabel = el('span', { className: 'label' });
const merchantName = el('strong', { className: 'merchant' });
const forLabel = el('span', { className: 'label' });
const description = el('span', { className: 'description' });
const amountLabel = el('span', { className: 'label' });
const amountText = el('strong', { className: 'amount' });
const amountRow = el('p', { className: 'row' }, amountLabel, amountText);
const summary = el(
  'section',
  { className: 'summary' },
  el('p', { className: 'row' }, payingLabel, merchantName),
  el('p', { className: 'row' }, forLabel, description),
  amountRow,
);
const sandbox = el('p', { className: 'sandbox' });

const amountInput = el('input', {
  id: 'amount',
  name: 'amount',
  type: 'text',
  inputMode: 'numeric',
  autocomplete: 'transaction-amount',
  'aria-describedby': 'amount-hint',
});
const amountFieldLabel = el('label', { for: 'amount' });
const amountHint = el('p', { id: 'amount-hint', className: 'hint' });
const amountField = el('div', { className: 'field' }, amountFieldLabel, amountInput, amountHint);
const phoneInput = el('input', {
  id: 'phone',
  name: 'phone',
  type: 'tel',
  inputMode: 'tel',
  autocomplete: 'tel',
  required: true,
  'aria-describedby': 'phone-hint',
});
const phoneLabel = el('label', { for: 'phone' });
const phoneHint = el('p', { id: 'phone-hint', className: 'hint' });
const payButton = el('button', { type: 'submit', className: 'pay' });
const form = el(
  'form',
  { noValidate: true },
  amountField,
  el('div', { className: 'field' }, phoneLabel, phoneInput, phoneHint),
  payButton,
);
const alertBox = el('div', { role: 'alert', className: 'alert', id: 'checkout-error' });
const statusTitle = el('h2', { tabIndex: -1, className: 'status-title' });
const statusDetail = el('p', { className: 'status-detail' });
const tryAgain = el('button', { type: 'button', className: 'again' });
const statusBox = el('section', { className: 'status', 'aria-live': 'polite' }, statusTitle, statusDetail, tryAgain);
const footer = el('p', { className: 'footer' });

function t(): Strings {
  return STRINGS[state.lang];
}

/** Repaints every text and visibility from `state`. */
function paint(): void {
  const s = t();
  const link = state.link;
  document.documentElement.lang = state.lang;
  document.title = `${s.title} · ImaraPay`;
  langGroup.setAttribute('aria-label', s.language);
  langEn.setAttribute('aria-pressed', String(state.lang === 'en'));
  langSw.setAttribute('aria-pressed', String(state.lang === 'sw'));
  title.textContent = s.title;
  footer.textContent = s.secured;
  summary.hidden = !link;
  if (link) {
    payingLabel.textContent = s.paying;
    merchantName.textContent = link.merchant_name;
    forLabel.textContent = s.for;
    description.textContent = link.description;
    amountLabel.textContent = s.amount;
    amountRow.hidden = link.amount_kind !== 'fixed';
    amountText.textContent = link.amount !== null ? kes(link.amount) : '';
    sandbox.hidden = link.environment !== 'sandbox';
    sandbox.textContent = s.sandbox;
    amountField.hidden = link.amount_kind !== 'open';
    amountFieldLabel.textContent = s.amountLabel;
    amountHint.textContent = fill(s.amountHint, { min: link.min_amount ?? 1, max: link.max_amount ?? 250000 });
    payButton.textContent =
      link.amount !== null ? fill(s.pay, { amount: link.amount.toLocaleString('en-KE') }) : s.payOpen;
  } else sandbox.hidden = true;
  phoneLabel.textContent = s.phoneLabel;
  phoneHint.textContent = s.phoneHint;

  const busy = state.phase === 'sending' || state.phase === 'waiting';
  form.hidden = !link || state.phase === 'closed' || state.phase === 'result' || state.phase === 'waiting';
  payButton.disabled = busy;
  phoneInput.disabled = busy;
  amountInput.disabled = busy;
  phoneInput.setAttribute('aria-invalid', String(state.errorField === 'phone'));
  amountInput.setAttribute('aria-invalid', String(state.errorField === 'amount'));
  if (state.phase === 'sending') payButton.textContent = s.sending;

  alertBox.textContent = state.error ? fill(s[state.error.key], state.error.values ?? {}) : '';
  alertBox.hidden = !state.error;

  statusBox.hidden = state.phase !== 'waiting' && state.phase !== 'result';
  if (state.phase === 'waiting') {
    statusTitle.textContent = s.checkPhone;
    statusDetail.textContent = s.waiting;
  } else if (state.phase === 'result' && state.nextStep) {
    const step = state.nextStep === 'wait' ? 'waiting' : state.nextStep;
    statusTitle.textContent = s[step];
    statusDetail.textContent = state.receipt ? `${s.receipt}: ${state.receipt}` : '';
  }
  statusBox.className = `status ${state.phase === 'result' ? `is-${state.nextStep}` : 'is-waiting'}`;
  const canRetry = state.phase === 'result' && state.nextStep !== 'done' && state.nextStep !== 'in_review';
  tryAgain.hidden = !canRetry;
  tryAgain.textContent = s.tryAgain;
  root.setAttribute('aria-busy', String(state.phase === 'loading'));
}

function setLang(lang: Lang): void {
  state.lang = lang;
  try {
    localStorage.setItem('imarapay.lang', lang);
  } catch {
    // private browsing: the choice lasts for this page only
  }
  paint();
}

async function getJson(url: string, init?: RequestInit): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(url, { ...init, headers: { Accept: 'application/json', ...init?.headers } });
  const body = (await res.json().catch(() => ({}))) as Record<string, unknown>;
  return { status: res.status, body };
}

/** The message for a refused request, by its documented `code`. */
function errorOf(status: number, body: Record<string, unknown>): State['error'] & { field?: 'phone' | 'amount' } {
  const link = state.link;
  switch (body.code) {
    case 'prompt_open':
      return { key: 'prompt_open' };
    case 'rate_limited':
      return { key: 'rate_limited', values: { seconds: Number(body.retry_after ?? 60) } };
    case 'link_unavailable': {
      const reason = String(body.reason ?? 'unavailable');
      return {
        key: (['paused', 'expired', 'used', 'archived'].includes(reason) ? reason : 'unavailable') as keyof Strings,
      };
    }
    case 'not_found':
      return { key: 'not_found' };
    case 'validation_failed':
      return body.field === 'amount'
        ? {
            key: 'invalid_amount',
            values: { min: link?.min_amount ?? 1, max: link?.max_amount ?? 250000 },
            field: 'amount',
          }
        : { key: 'invalid_phone', field: 'phone' };
    case 'daraja_unavailable':
    case 'temporarily_unavailable':
      return { key: 'mpesa_busy' };
    default:
      return { key: status >= 500 ? 'mpesa_busy' : 'failed' };
  }
}

async function load(): Promise<void> {
  try {
    const { status, body } = await getJson(api);
    if (status !== 200) {
      state.phase = 'closed';
      state.error = errorOf(status, body);
    } else {
      state.link = body as unknown as CheckoutLink;
      const availability = state.link.availability;
      if (availability === 'open') state.phase = 'form';
      else {
        state.phase = 'closed';
        state.error = errorOf(409, { code: 'link_unavailable', reason: availability });
      }
    }
  } catch {
    state.phase = 'closed';
    state.error = { key: 'network' };
  }
  paint();
  if (state.phase === 'form') (state.link?.amount_kind === 'open' ? amountInput : phoneInput).focus();
}

async function pay(event: Event): Promise<void> {
  event.preventDefault();
  if (state.phase !== 'form' && state.phase !== 'result') return;
  const link = state.link!;
  const amountText = amountInput.value.replace(/[\s,]/g, '');
  const amount = link.amount_kind === 'open' ? Number(amountText) : null;
  if (link.amount_kind === 'open' && (amountText === '' || !Number.isInteger(amount))) {
    state.error = { key: 'invalid_amount', values: { min: link.min_amount ?? 1, max: link.max_amount ?? 250000 } };
    state.errorField = 'amount';
    paint();
    amountInput.focus();
    return;
  }
  state.phase = 'sending';
  state.error = null;
  state.errorField = null;
  paint();
  try {
    const { status, body } = await getJson(`${api}/payments`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ phone_number: phoneInput.value, ...(amount !== null ? { amount } : {}) }),
    });
    if (status === 201 || status === 202) {
      state.phase = 'waiting';
      paint();
      statusTitle.focus();
      void poll((body as unknown as CheckoutStarted).payment_token);
      return;
    }
    const error = errorOf(status, body);
    state.phase = 'form';
    state.error = { key: error.key, values: error.values };
    state.errorField = error.field ?? null;
  } catch {
    state.phase = 'form';
    state.error = { key: 'network' };
  }
  paint();
  (state.errorField === 'amount' ? amountInput : phoneInput).focus();
}

async function poll(paymentToken: string): Promise<void> {
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    try {
      const { status, body } = await getJson(`${api}/payments/${encodeURIComponent(paymentToken)}`);
      const payment = body as unknown as CheckoutPayment;
      if (status === 200 && payment.next_step !== 'wait') {
        state.phase = 'result';
        state.nextStep = payment.next_step;
        state.receipt = payment.mpesa_receipt;
        paint();
        statusTitle.focus();
        return;
      }
    } catch {
      // A dropped connection on a phone: keep asking, the payment carries on by itself.
    }
  }
}

root.replaceChildren(
  el('header', { className: 'top' }, langGroup),
  title,
  summary,
  sandbox,
  form,
  alertBox,
  statusBox,
  footer,
);
langEn.addEventListener('click', () => setLang('en'));
langSw.addEventListener('click', () => setLang('sw'));
form.addEventListener('submit', (event) => void pay(event));
tryAgain.addEventListener('click', () => {
  state.phase = 'form';
  state.nextStep = null;
  state.receipt = null;
  paint();
  phoneInput.focus();
});
paint();
void load();
