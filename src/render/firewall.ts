// Firewall rules of our own on the directors, one rule per line ("<family> <table> <hook> <match>", or
// for an INPUT admission also "firewalld <nic|*> <rich rule>", taken instead where firewalld runs),
// that scripts/fw.sh loads into chains of our own (named in ruleSets.ts) with iptables (nf_tables or
// legacy backend, whichever the host's kernel supports), jumped to from the built-in chain: no other
// rule is touched, and each rule only admits (ACCEPT), marks or translates addresses, so an admin's DROP
// policy still holds for everything else (the one exception, the director's own IPv6 redirects on a
// one-NIC NAT pair, is explained at renderOneNicNatRules).
//
// What IPVS NAT needs in FORWARD, and only that (net/netfilter/ipvs/ip_vs_core.c, ip_vs_xmit.c):
// - A request (client -> VIP) is delivered locally: IPVS takes it in LOCAL_IN, rewrites the destination
//   to the real server and sends it through LOCAL_OUT (ip_vs_nat_send_or_cont): it never passes FORWARD.
// - A reply (real server -> client) is forwarded: the filter table's FORWARD chain (priority 0) sees it
//   with the real server's own address and port, before IPVS puts the VIP back as its source (hook at
//   FORWARD priority 100). So the replies are matched by source address, protocol and source port.
//   Neither `-m ipvs` (it needs skb->ipvs_property, set only once IPVS has handled the packet) nor
//   conntrack (IPVS leaves its packets untracked unless net.ipv4.vs.conntrack=1) can match them there.
// - ICMP errors from a real server about a connection (port unreachable, fragmentation needed) are
//   forwarded the same way, and IPVS translates them after FORWARD (ip_vs_out_icmp).
// Health checks (the director connects to the real servers), VRRP and the sync daemon are the
// director's own traffic (OUTPUT/INPUT), not forwarded: the NAT rules neither need nor touch them. With
// the pair's `firewall`, INPUT rules let them in (renderPairInputRules), and each VIP's port.
import { snatVip, type DirectorPairModel } from "../model/directorPair";
import { family, hostCidr } from "../model/primitives";
import type { RealServerModel } from "../model/realServer";
import type { VirtualServiceModel } from "../model/virtualService";
import { serviceKey } from "./keys";

function header(title: string): string {
    return `# Managed by pulumi-lvs: ${title}. One rule per line: family table hook match. Local edits are overwritten.`;
}

/**
 * An INPUT admission as firewalld takes it, where it runs (scripts/firewalld.sh): a rich rule in the zone
 * of `nic`, or of every zone in use ("*"). Rules are written as firewalld prints them back, so that one
 * already there is recognized. Protocols go by number (VRRP 112, ipip 4): a name needs /etc/protocols,
 * which a minimal host may lack; ports one per rule. firewalld admits the answers to the host's own
 * connections itself.
 */
function firewalldAdmits(fam: 4 | 6, nic: string | undefined, what: { dest?: string; proto: string; ports?: number[] }): string[] {
    const head = `firewalld ${nic ?? "*"} rule family="ipv${fam}"${what.dest ? ` destination address="${what.dest}"` : ""}`;
    if (!what.ports) return [`${head} protocol value="${what.proto}" accept`];
    return what.ports.map((p) => `${head} port port="${p}" protocol="${what.proto}" accept`);
}

/**
 * The pair's own rules: the `inside.masquerade` networks may open connections to the outside (through
 * `interface`, masqueraded) and get their answers back. Nothing else crosses the director because of
 * these rules; the real servers' replies to clients are opened per VirtualService.
 */
export function renderNatRules(pairName: string, pair: DirectorPairModel): string | undefined {
    const nat = pair.oneNicNat ? renderOneNicNatRules(pairName, pair) : pair.inside ? renderInsideNatRules(pairName, pair) : undefined;
    if (!pair.firewall) return nat;
    const input = renderPairInputRules(pair);
    return nat ? `${nat}${input.join("\n")}\n` : `${[header(`firewall of LvsDirectorPair "${pairName}"`), ...input].join("\n")}\n`;
}

/**
 * `firewall: true`: what the directors themselves must receive through a default-deny INPUT policy.
 * VRRP (IP protocol 112, multicast or unicast alike, in the VIPs' families) on each NIC with VIPs; the
 * sync daemon's UDP 8848 on its NIC; the answers to the directors' own connections (health checks, e-mail
 * alerts, DNS_CHECK queries). The VIPs' service ports are opened by each VirtualService.
 */
function renderPairInputRules(pair: DirectorPairModel): string[] {
    const lines: string[] = [];
    const vrrpNics: Array<[string, string[]]> = [[pair.interface, pair.vips], ...(pair.inside ? [[pair.inside.interface, pair.inside.vips] as [string, string[]]] : [])];
    const families = new Set<4 | 6>();
    for (const [nic, vips] of vrrpNics) {
        for (const fam of [4, 6] as const) {
            if (!vips.some((v) => family(v) === fam)) continue;
            families.add(fam);
            // One director (no vrrp) speaks no VRRP.
            const line = `${fam} filter INPUT -i ${nic} -p 112 -j ACCEPT`;
            if (pair.vrrp && !lines.includes(line)) lines.push(line, ...firewalldAdmits(fam, nic, { proto: "112" }));
        }
    }
    if (pair.lvsSyncDaemon) {
        const nic = pair.lvsSyncDaemon.interface;
        lines.push(`4 filter INPUT -i ${nic} -p udp --dport 8848 -j ACCEPT`, ...firewalldAdmits(4, nic, { proto: "udp", ports: [8848] }));
    }
    for (const fam of [...families].sort()) lines.push(`${fam} filter INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT`);
    return lines;
}

function renderInsideNatRules(pairName: string, pair: DirectorPairModel): string {
    const inside = pair.inside!;
    const lines = [header(`NAT of LvsDirectorPair "${pairName}"`)];
    for (const net of inside.masquerade) {
        const fam = family(net);
        lines.push(
            `${fam} filter FORWARD -i ${inside.interface} -o ${pair.interface} -s ${net} -j ACCEPT`,
            `${fam} filter FORWARD -i ${pair.interface} -o ${inside.interface} -d ${net} -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT`,
            `${fam} nat POSTROUTING -o ${pair.interface} -s ${net} -j MASQUERADE`,
        );
    }
    return `${lines.join("\n")}\n`;
}

/**
 * One-NIC NAT: the `oneNicNat.snat` sources may open connections to elsewhere (in and out on `interface`),
 * leaving with their VIP as the source address, and get their answers back. IPv6 has no send_redirects
 * setting, so with an IPv6 VIP the directors' own redirects out of `interface` are dropped instead (the
 * one rule here that drops: it touches only packets the director itself would send).
 */
function renderOneNicNatRules(pairName: string, pair: DirectorPairModel): string {
    const nic = pair.interface;
    const lines = [header(`one-NIC NAT of LvsDirectorPair "${pairName}"`)];
    if (pair.vips.some((v) => family(v) === 6)) lines.push(`6 filter OUTPUT -o ${nic} -p ipv6-icmp --icmpv6-type redirect -j DROP`);
    for (const source of pair.oneNicNat!.snat) {
        const fam = family(source);
        lines.push(
            `${fam} filter FORWARD -i ${nic} -o ${nic} -s ${source} -j ACCEPT`,
            `${fam} filter FORWARD -i ${nic} -o ${nic} -d ${source} -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT`,
            `${fam} nat POSTROUTING -o ${nic} -s ${source} -j SNAT --to-source ${snatVip(pair, source)}`,
        );
    }
    return `${lines.join("\n")}\n`;
}

const ICMP_ERRORS: Record<4 | 6, string[]> = {
    4: ["-p icmp --icmp-type destination-unreachable"],
    6: ["-p ipv6-icmp --icmpv6-type destination-unreachable", "-p ipv6-icmp --icmpv6-type packet-too-big"],
};

/**
 * The rules one VirtualService needs on the directors: the mark of an fwmark service, and in NAT mode
 * the replies of its real servers (and sorry server), coming in on `replyInterface` from their own
 * address and port: for an fwmark service, any of the mark's ports, since its real servers keep the
 * port the client asked for. Undefined when the service needs none.
 */
export function renderServiceRules(serviceName: string, svc: VirtualServiceModel, replyInterface: string, openInput = false): string | undefined {
    const lines: string[] = [];
    const fw = svc.fwmark;
    const proto = svc.protocol.toLowerCase();
    // An fwmark service's ports, in order: its mark's, its VIP's and its real servers' replies'.
    const sortedMarkPorts = fw ? [...fw.ports].sort((a, b) => a - b) : [];
    const markPorts = sortedMarkPorts.join(",");
    if (fw) lines.push(`${family(fw.vip)} mangle PREROUTING -d ${fw.vip} -p ${proto} -m multiport --dports ${markPorts} -j MARK --set-mark ${fw.mark}`);
    // The pair's `firewall`: the clients' packets to the VIP pass the filter table's INPUT before IPVS
    // takes them (LOCAL_IN, after priority 0), so a default-deny policy would drop them there.
    if (openInput) {
        const vip = fw ? fw.vip : svc.vip!;
        const ports = fw ? `-m multiport --dports ${markPorts}` : `--dport ${svc.port}`;
        lines.push(`${family(vip)} filter INPUT -d ${hostCidr(vip)} -p ${proto} ${ports} -j ACCEPT`,
            ...firewalldAdmits(family(vip), undefined, { dest: vip, proto, ports: fw ? sortedMarkPorts : [svc.port!] }));
    }
    if (svc.mode === "NAT") {
        const servicePort = svc.port ?? fw!.ports[0]!;
        const backends = [...svc.realServers, ...(svc.sorryServer ? [svc.sorryServer] : [])];
        const sources = new Map<string, { address: string; ports: string }>();
        for (const b of backends) {
            // A port given for a real server of an fwmark service is ignored by keepalived.
            const ports = fw ? `-m multiport --sports ${markPorts}` : `--sport ${b.port ?? servicePort}`;
            sources.set(`${b.address} ${ports}`, { address: b.address, ports });
        }
        const sorted = [...sources.values()].sort((a, b) => a.address.localeCompare(b.address) || a.ports.localeCompare(b.ports));
        for (const s of sorted) lines.push(`${family(s.address)} filter FORWARD -i ${replyInterface} -s ${hostCidr(s.address)} -p ${proto} ${s.ports} -j ACCEPT`);
        for (const address of [...new Set(sorted.map((s) => s.address))]) {
            for (const icmp of ICMP_ERRORS[family(address)]) lines.push(`${family(address)} filter FORWARD -i ${replyInterface} -s ${hostCidr(address)} ${icmp} -j ACCEPT`);
        }
    }
    if (lines.length === 0) return undefined;
    return `${[header(`firewall of VirtualService "${serviceName}" (${serviceKey(svc)})`), ...lines].join("\n")}\n`;
}

/**
 * A RealServer's `firewall`: its ports, in each family it serves (its VIPs', or its gateway's in NAT),
 * on any of its addresses (the VIP for the clients' packets, its own for the directors' health checks);
 * in TUN mode also the ipip packets that carry them. Undefined without `firewall`.
 */
export function renderRealServerRules(name: string, rs: RealServerModel): string | undefined {
    if (!rs.firewall) return undefined;
    const families = [...new Set((rs.mode === "NAT" ? [rs.gateway] : rs.vips).map(family))].sort();
    const lines = [header(`firewall of RealServer "${name}" (${rs.mode})`)];
    if (rs.mode === "TUN") lines.push("4 filter INPUT -p 4 -j ACCEPT", ...firewalldAdmits(4, undefined, { proto: "4" }));
    const ports = [...rs.firewall.ports].sort((a, b) => a.protocol.localeCompare(b.protocol) || a.port - b.port);
    for (const fam of families) {
        for (const p of ports) {
            const proto = p.protocol.toLowerCase();
            const line = `${fam} filter INPUT -p ${proto} --dport ${p.port} -j ACCEPT`;
            if (!lines.includes(line)) lines.push(line, ...firewalldAdmits(fam, undefined, { proto, ports: [p.port] }));
        }
    }
    return `${lines.join("\n")}\n`;
}
