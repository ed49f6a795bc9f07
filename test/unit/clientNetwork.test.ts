import type { Context } from 'koa';
import { clientNetwork } from '../../domain/clientNetwork';
import { rateLimitKeys } from '../../api/rateLimits';

const requestFrom = (ip: string) => ({ ip, request: { body: { email: 'Owner@Example.com' } } }) as unknown as Context;

describe('Per-client limits count a client by its network', () => {
  it('When addresses rotate inside one IPv6 /64, then they count as one client; another /64 is another', () => {
    const inside = ['2001:db8:0:1::1', '2001:db8:0:1:aaaa:bbbb:cccc:dddd', '2001:0db8:0000:0001:ffff::9'];
    expect(new Set(inside.map((ip) => rateLimitKeys.clientIp(requestFrom(ip))))).toEqual(
      new Set(['2001:db8:0:1::/64']),
    );
    expect(rateLimitKeys.clientIp(requestFrom('2001:db8:0:2::1'))).toBe('2001:db8:0:2::/64');
    expect(rateLimitKeys.loginEmailAndIp(requestFrom('2001:db8:0:1::7'))).toBe(
      rateLimitKeys.loginEmailAndIp(requestFrom('2001:db8:0:1::8')),
    );
  });

  it('When the client is IPv4, or IPv4 on a dual-stack socket, then it counts by its own address', () => {
    expect(clientNetwork('196.201.214.7')).toBe('196.201.214.7');
    expect(clientNetwork('::ffff:196.201.214.7')).toBe('196.201.214.7');
    expect(rateLimitKeys.clientIp(requestFrom('196.201.214.8'))).not.toBe(
      rateLimitKeys.clientIp(requestFrom('196.201.214.7')),
    );
  });

  it('When the address has a zone or is no address at all, then it is still a key, never an error', () => {
    expect(clientNetwork('fe80::1%eth0')).toBe('fe80::/64');
    expect(clientNetwork('not an address')).toBe('not an address');
    expect(rateLimitKeys.clientIp(requestFrom(''))).toBeNull();
  });
});
