import ipaddr from 'ipaddr.js';

/**
 * The network a client address stands for when requests are counted per client: an IPv4 address as
 * it is, and an IPv6 address by its /64, the prefix one subscriber line or host is given (RFC 6177,
 * RFC 7421: a /64 is the smallest subnet of an IPv6 LAN), so rotating addresses inside it earns no
 * fresh budget. An IPv4-mapped IPv6 address (`::ffff:a.b.c.d`, as a dual-stack socket reports an IPv4
 * client) counts as its IPv4 address. Text that is no address is answered as it is.
 * Example: `2001:db8:0:1:aaaa::1` → `2001:db8:0:1::/64`.
 */
export function clientNetwork(address: string): string {
  const withoutZone = address.split('%')[0]!;
  if (!ipaddr.isValid(withoutZone)) return address;
  const parsed = ipaddr.parse(withoutZone);
  if (parsed.kind() === 'ipv4') return parsed.toString();
  const v6 = parsed as ipaddr.IPv6;
  if (v6.isIPv4MappedAddress()) return v6.toIPv4Address().toString();
  const network = ipaddr.IPv6.networkAddressFromCIDR(`${v6.toString()}/64`);
  return `${network.toString()}/64`;
}
