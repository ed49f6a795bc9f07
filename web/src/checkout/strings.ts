/** The checkout page's words, in English and Kiswahili. `{name}` marks a value filled in. */
export type Lang = 'en' | 'sw';

const en = {
  title: 'Pay with M-Pesa',
  paying: 'Paying',
  for: 'For',
  amount: 'Amount',
  amountLabel: 'Amount (KES)',
  amountHint: 'Between KES {min} and KES {max}.',
  phoneLabel: 'M-Pesa phone number',
  phoneHint: 'You will get an M-Pesa prompt on this phone, e.g. 0712 345 678.',
  pay: 'Pay KES {amount}',
  payOpen: 'Pay',
  sending: 'Sending the prompt…',
  checkPhone: 'Check your phone and enter your M-Pesa PIN.',
  waiting: 'Waiting for your confirmation…',
  sandbox: 'Test mode: no real money moves.',
  language: 'Language',
  secured: 'Payments by ImaraPay over M-Pesa',
  tryAgain: 'Try again',
  receipt: 'M-Pesa receipt',
  done: 'Payment received. Thank you!',
  in_review: 'M-Pesa reported your payment and the merchant is confirming it. Keep your M-Pesa message.',
  cancelled: 'You cancelled the payment on your phone. Tap "Try again" to get a new prompt.',
  timed_out:
    'The prompt timed out or your phone could not be reached. Make sure your phone is on and unlocked, then try again.',
  insufficient_balance: 'Your M-Pesa balance is not enough for this payment. Top up M-Pesa, then try again.',
  wrong_pin: 'The M-Pesa PIN entered was wrong. Try again and enter your PIN carefully.',
  failed: 'The payment did not go through and you were not charged. Try again.',
  prompt_open: 'A payment prompt is already open on this phone. Answer it, or wait a minute and try again.',
  rate_limited: 'Too many attempts. Try again in {seconds} seconds.',
  invalid_phone: 'Enter a Kenyan mobile number such as 0712 345 678 or 0112 345 678.',
  invalid_amount: 'Enter a whole amount between KES {min} and KES {max}.',
  paused: 'This payment link is paused by the merchant. Ask them for help or try later.',
  expired: 'This payment link has expired. Ask the merchant for a new link.',
  used: 'This payment link has already been paid.',
  archived: 'This payment link is no longer in use. Ask the merchant for a new link.',
  unavailable: 'This merchant cannot take payments through this link right now. Please pay them another way.',
  not_found: 'This payment link does not exist. Check the address.',
  mpesa_busy: 'M-Pesa is busy right now and no prompt was sent. Try again in a minute.',
  network: 'Could not reach ImaraPay. Check your connection and try again.',
};

export type Strings = typeof en;

const sw: Strings = {
  title: 'Lipa kwa M-Pesa',
  paying: 'Unamlipa',
  for: 'Kwa ajili ya',
  amount: 'Kiasi',
  amountLabel: 'Kiasi (KES)',
  amountHint: 'Kati ya KES {min} na KES {max}.',
  phoneLabel: 'Nambari ya simu ya M-Pesa',
  phoneHint: 'Utapokea ombi la M-Pesa kwenye simu hii, k.m. 0712 345 678.',
  pay: 'Lipa KES {amount}',
  payOpen: 'Lipa',
  sending: 'Tunatuma ombi…',
  checkPhone: 'Angalia simu yako na uweke PIN yako ya M-Pesa.',
  waiting: 'Tunasubiri uthibitisho wako…',
  sandbox: 'Hali ya majaribio: hakuna pesa halisi inayotumwa.',
  language: 'Lugha',
  secured: 'Malipo kupitia ImaraPay na M-Pesa',
  tryAgain: 'Jaribu tena',
  receipt: 'Risiti ya M-Pesa',
  done: 'Malipo yamepokelewa. Asante!',
  in_review: 'M-Pesa imeripoti malipo yako na mfanyabiashara anayathibitisha. Hifadhi ujumbe wako wa M-Pesa.',
  cancelled: 'Ulighairi malipo kwenye simu yako. Bonyeza "Jaribu tena" upate ombi jipya.',
  timed_out:
    'Muda wa ombi umekwisha au simu yako haikupatikana. Hakikisha simu yako imewashwa na haijafungwa, kisha ujaribu tena.',
  insufficient_balance: 'Salio lako la M-Pesa halitoshi kwa malipo haya. Ongeza salio la M-Pesa, kisha ujaribu tena.',
  wrong_pin: 'PIN ya M-Pesa uliyoweka si sahihi. Jaribu tena na uweke PIN yako kwa uangalifu.',
  failed: 'Malipo hayakufaulu na hujatozwa pesa. Jaribu tena.',
  prompt_open: 'Tayari kuna ombi la malipo kwenye simu hii. Lijibu, au subiri dakika moja kisha ujaribu tena.',
  rate_limited: 'Majaribio ni mengi mno. Jaribu tena baada ya sekunde {seconds}.',
  invalid_phone: 'Weka nambari ya simu ya Kenya kama 0712 345 678 au 0112 345 678.',
  invalid_amount: 'Weka kiasi kamili kati ya KES {min} na KES {max}.',
  paused: 'Kiungo hiki cha malipo kimesitishwa na mfanyabiashara. Muulize au ujaribu baadaye.',
  expired: 'Muda wa kiungo hiki cha malipo umekwisha. Muombe mfanyabiashara kiungo kipya.',
  used: 'Kiungo hiki cha malipo tayari kimelipwa.',
  archived: 'Kiungo hiki cha malipo hakitumiki tena. Muombe mfanyabiashara kiungo kipya.',
  unavailable:
    'Mfanyabiashara huyu hawezi kupokea malipo kupitia kiungo hiki kwa sasa. Tafadhali mlipe kwa njia nyingine.',
  not_found: 'Kiungo hiki cha malipo hakipo. Hakiki anwani.',
  mpesa_busy: 'M-Pesa ina shughuli nyingi sasa na hakuna ombi lililotumwa. Jaribu tena baada ya dakika moja.',
  network: 'Imeshindikana kufikia ImaraPay. Angalia muunganisho wako kisha ujaribu tena.',
};

export const STRINGS: Record<Lang, Strings> = { en, sw };

/** Fills `{name}` placeholders. */
export function fill(text: string, values: Record<string, string | number>): string {
  return text.replace(/\{(\w+)\}/g, (_, name: string) => String(values[name] ?? ''));
}
