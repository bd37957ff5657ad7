// What pulumi-lvs reads from a director before configuring it (see remote/scripts/facts.sh).
import { canonicalIp, isIp } from "../model/primitives";

export interface DirectorFacts {
    /** keepalived --version, e.g. "2.2.7". */
    keepalivedVersion: string;
    /**
     * The director's own global addresses per NIC, canonical and without prefix, in the host's order.
     * Never a VIP: not one of the pair's (by address, whatever its prefix), not one of the keepalived.conf
     * in force, and no /32 or /128 (how keepalived adds a VIP given without a prefix).
     */
    addresses: Record<string, string[]>;
}

/**
 * Parses the facts script's output: "keepalived 2.2.7", "addr eth0 10.0.0.11/24" and "vip 10.0.0.100/24"
 * (a VIP of the keepalived.conf in force) lines. The facts are read while keepalived may hold the VIPs, and
 * Linux lists IPv6 addresses newest first: `pairVips` are left out so that no VIP becomes a unicast address.
 */
export function parseFacts(text: string, pairVips: ReadonlyArray<string>): DirectorFacts {
    const facts: DirectorFacts = { keepalivedVersion: "", addresses: {} };
    const vips = new Set(pairVips.map((v) => canonical(v.split("/")[0]!)));
    const found: Array<[string, string]> = [];
    for (const line of text.split("\n")) {
        const [kind, a, b] = line.trim().split(/\s+/);
        if (kind === "keepalived" && a) facts.keepalivedVersion = a;
        if (kind === "vip" && a) vips.add(canonical(a.split("/")[0]!));
        if (kind === "addr" && a && b) {
            const [address, prefix] = b.split("/");
            if (!address || !isIp(address) || prefix === "32" || prefix === "128") continue;
            found.push([a, canonical(address)]);
        }
    }
    for (const [nic, address] of found) {
        if (!vips.has(address)) (facts.addresses[nic] ??= []).push(address);
    }
    return facts;
}

function canonical(address: string): string {
    return isIp(address) ? canonicalIp(address) : address;
}

/** "2.2.7" >= "2.4"? */
export function versionAtLeast(version: string, minimum: string): boolean {
    const v = version.split(".").map(Number);
    const m = minimum.split(".").map(Number);
    for (let i = 0; i < m.length; i++) {
        const x = v[i] ?? 0, y = m[i] ?? 0;
        if (x !== y) return x > y;
    }
    return true;
}
