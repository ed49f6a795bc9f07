import { AuditEventSchema, ChannelInitiatorSchema } from '../../db/entities';
import { open } from '../../domain/secretBox';
import { createMerchantFixture, quietTemporalRuntime, startStack, type Stack } from '../support/harness';

quietTemporalRuntime();

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ withoutWorker: true });
});
afterAll(async () => {
  await stack?.stop();
});

describe("A channel's M-Pesa initiator", () => {
  it('When a merchant sets it, then the password is sealed at rest, never shown, and the change is audited without it', async () => {
    const merchant = await createMerchantFixture(stack);
    const auth = { headers: { Authorization: merchant.authorization } };
    expect((await stack.http.get(`/accounts/${merchant.channelId}/initiator`, auth)).data).toMatchObject({
      configured: false,
      initiator_name: null,
    });
    const body = { initiator_name: 'imarapay_api', initiator_password: 'S3cret!pw' };
    const first = await stack.http.put(`/accounts/${merchant.channelId}/initiator`, body, auth);
    expect([first.status, first.data]).toEqual([
      200,
      {
        channel_id: merchant.channelId,
        configured: true,
        initiator_name: 'imarapay_api',
        updated_at: expect.any(String),
      },
    ]);
    await stack.http.put(`/accounts/${merchant.channelId}/initiator`, { ...body, initiator_password: 'N3w!pw' }, auth);
    const shown = await stack.http.get(`/accounts/${merchant.channelId}/initiator`, auth);
    expect(JSON.stringify(shown.data)).not.toContain('pw');

    const em = stack.orm.em.fork();
    const row = await em.findOneOrFail(ChannelInitiatorSchema, { channelId: merchant.channelId });
    expect(row.passwordSealed).not.toContain('N3w!pw');
    expect(open(row.passwordSealed, stack.config.WEBHOOK_SECRET_KEY)).toBe('N3w!pw');
    const events = await em.find(AuditEventSchema, {
      merchantId: merchant.merchantId,
      action: 'channel.initiator_set',
    });
    expect(events.map((e) => e.details)).toEqual([
      { initiator_name: 'imarapay_api', replaced: false },
      { initiator_name: 'imarapay_api', replaced: true },
    ]);
    expect(JSON.stringify(events)).not.toContain('pw');
  });

  it("When the input is bad or the channel another merchant's, then 400 or 404 and nothing changes", async () => {
    const a = await createMerchantFixture(stack);
    const b = await createMerchantFixture(stack);
    const auth = { headers: { Authorization: a.authorization } };
    for (const bad of [
      {},
      { initiator_name: '', initiator_password: 'x' },
      { initiator_name: 'ok', initiator_password: 7 },
    ]) {
      const res = await stack.http.put(`/accounts/${a.channelId}/initiator`, bad, auth);
      expect([res.status, res.data.code]).toEqual([400, 'validation_failed']);
    }
    const other = await stack.http.put(
      `/accounts/${b.channelId}/initiator`,
      { initiator_name: 'x', initiator_password: 'y' },
      auth,
    );
    expect([other.status, other.data.code]).toEqual([404, 'not_found']);
    expect(
      await stack.orm.em.fork().count(ChannelInitiatorSchema, { channelId: { $in: [a.channelId, b.channelId] } }),
    ).toBe(0);
  });
});
