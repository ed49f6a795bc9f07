import axios from 'axios';
import { DarajaCallbackSchema } from '../../db/entities';
import { callbackToken, darajaCallbackUrl } from '../../config/callbackUrl';
import { quietTemporalRuntime, startStack, type Stack } from '../support/harness';

quietTemporalRuntime();

let stack: Stack;
/** The CallBackURL of a payment id that does not exist. */
let unknownPaymentUrl: string;
beforeAll(async () => {
  stack = await startStack();
  unknownPaymentUrl = darajaCallbackUrl(stack.config, 99_999_999);
});
afterAll(async () => {
  await stack?.stop();
});

const post = (url: string, data: string) =>
  axios.post(url, data, {
    headers: { 'Content-Type': 'application/json' },
    validateStatus: () => true,
    transformRequest: (d) => d,
  });

async function lastCallback() {
  const [row] = await stack.orm.em.fork().find(DarajaCallbackSchema, {}, { orderBy: { id: 'desc' }, limit: 1 });
  return row!;
}

describe('The Daraja callback endpoint', () => {
  it('When a callback names an unknown CheckoutRequestID, then it is stored as unmatched and Daraja gets Accept', async () => {
    const body = JSON.stringify({
      Body: {
        stkCallback: { MerchantRequestID: 'm-1', CheckoutRequestID: 'ws_CO_unknown', ResultCode: 0, ResultDesc: 'ok' },
      },
    });
    const res = await post(unknownPaymentUrl, body);
    expect(res.status).toBe(200);
    expect(res.data).toEqual({ ResultCode: 0, ResultDesc: 'Accept' });
    expect(await lastCallback()).toMatchObject({
      disposition: 'unmatched',
      checkoutRequestId: 'ws_CO_unknown',
      rawBody: body,
    });
  });

  it('When the body is not JSON, then it is stored as malformed and Daraja still gets Accept', async () => {
    const res = await post(unknownPaymentUrl, '{"Body": not json');
    expect(res.status).toBe(200);
    expect(res.data.ResultDesc).toBe('Accept');
    expect(await lastCallback()).toMatchObject({ disposition: 'malformed', rawBody: '{"Body": not json' });
  });

  it('When the path token is wrong, or belongs to another payment, then the callback is refused with 404 and not stored', async () => {
    const before = await lastCallback();
    const base = stack.apiUrl.replace(/\/api$/, '/hooks/daraja');
    expect((await post(`${base}/not-the-token/1`, '{}')).status).toBe(404);
    expect((await post(`${base}/${callbackToken(stack.config.DARAJA_CALLBACK_TOKEN, 1)}/2`, '{}')).status).toBe(404);
    expect((await post(`${base}/${stack.config.DARAJA_CALLBACK_TOKEN}/1`, '{}')).status).toBe(404);
    expect((await lastCallback()).id).toBe(before.id);
  });

  it('When ResultCode arrives as a string code, then the callback is still read', async () => {
    const body = JSON.stringify({
      Body: {
        stkCallback: {
          MerchantRequestID: 'm-2',
          CheckoutRequestID: 'ws_CO_x',
          ResultCode: 'SFC_IC0003',
          ResultDesc: 'Operator does not exist',
        },
      },
    });
    await post(unknownPaymentUrl, body);
    expect(await lastCallback()).toMatchObject({ resultCode: 'SFC_IC0003', disposition: 'unmatched' });
  });
});
