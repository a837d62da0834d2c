import { BlockList, isIP, isIPv4, isIPv6 } from "node:net";

/** An IPv4 peer as a dual-stack socket reports it ("::ffff:192.0.2.7") in its plain form; any other address as it is. */
export function plainAddress(ip: string): string {
  return ip.toLowerCase().startsWith("::ffff:") && isIPv4(ip.slice(7)) ? ip.slice(7) : ip;
}

/** An allow list of addresses and CIDR ranges, v4 and v6 (IPv4-mapped v6 peers match v4 rules): ROSTER_RELAY_ALLOW, ROSTER_METRICS_ALLOW. */
export function allowList(entries: string[]): (ip: string) => boolean {
  const list = new BlockList();
  for (const e of entries) {
    const [addr = "", bits] = e.split("/");
    const type = isIPv6(addr) ? "ipv6" : "ipv4";
    if (bits === undefined) list.addAddress(addr, type);
    else list.addSubnet(addr, Number(bits), type);
  }
  return (ip) => {
    if (!isIP(ip)) return false;
    const plain = plainAddress(ip);
    return list.check(plain, isIPv6(plain) ? "ipv6" : "ipv4");
  };
}

