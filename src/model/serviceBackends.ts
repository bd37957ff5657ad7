// Whether the RealServer components a VirtualService names are prepared for it: the same forwarding mode,
// and in DR/TUN the service's VIP on the host, in NAT the pair's VIP as the host's gateway. Pure.
import type { Problem } from "./errors";
import { hostIdentity } from "./primitives";

export interface NamedBackend {
    /** Its index in realServers. */
    index: number;
    name: string;
    mode: "DR" | "TUN" | "NAT";
    vips: string[];
    gateway: string | undefined;
    /** The entry also gave an address. */
    withAddress: boolean;
}

export interface ServiceSide {
    mode: "DR" | "TUN" | "NAT";
    /** The VIP packets arrive for (the fwmark's VIP for a fwmark service). */
    vip: string;
    pairName: string;
    /** The pair's VIPs a NAT real server may route through: the inside VIPs, else the VIPs. */
    gateways: string[];
}

const host = (a: string) => hostIdentity(a.split("/")[0]!);

export function backendProblems(service: ServiceSide, backends: NamedBackend[]): Problem[] {
    return backends.flatMap((b): Problem[] => {
        const path = `realServers[${b.index}].realServer`;
        if (b.withAddress) return [{ path: `realServers[${b.index}].address`, value: b.name, rule: `is given with realServer: give one of them (the RealServer's RIP is its own address argument)` }];
        if (b.mode !== service.mode) return [{ path, value: b.name, rule: `is a RealServer prepared for ${b.mode} mode, not for this service's ${service.mode} mode: give both the same mode` }];
        if (b.mode === "NAT") {
            if (b.gateway !== undefined && service.gateways.some((g) => host(g) === host(b.gateway!))) return [];
            return [{ path, value: b.name, rule: `is a NAT RealServer whose gateway is not a VIP of LvsDirectorPair "${service.pairName}" (its inside VIPs, else its VIPs): its replies would bypass the directors` }];
        }
        if (b.vips.some((v) => host(v) === host(service.vip))) return [];
        return [{ path, value: b.name, rule: `is a ${b.mode} RealServer without this service's VIP in its vips: it would drop the packets forwarded to it; add the VIP to the RealServer's vips` }];
    });
}
