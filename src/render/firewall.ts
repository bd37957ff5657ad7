// Firewall rules of our own on the directors: NAT masquerading and forwarding for the real servers,
// and the marks of fwmark services. Rendered as one rule per line ("<family> <table> <hook> <match>")
// that scripts/fw.sh loads into chains of our own (named in ruleSets.ts) with iptables (nf_tables or legacy backend,
// whichever the host's kernel supports), jumped to from the built-in chain: no other rule is touched.
import type { DirectorPairModel } from "../model/directorPair";
import { family } from "../model/primitives";
import type { VirtualServiceModel } from "../model/virtualService";

function header(title: string): string {
    return `# Managed by pulumi-lvs: ${title}. One rule per line: family table hook match. Local edits are overwritten.`;
}

export function renderNatRules(pairName: string, pair: DirectorPairModel): string | undefined {
    const inside = pair.inside;
    if (!inside) return undefined;
    const families = [...new Set([...pair.vips, ...inside.vips].map(family))].sort();
    const lines = [header(`NAT of LvsDirectorPair "${pairName}"`)];
    for (const fam of families) {
        lines.push(
            `${fam} filter FORWARD -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT`,
            `${fam} filter FORWARD -i ${inside.interface} -o ${pair.interface} -j ACCEPT`,
            `${fam} filter FORWARD -i ${pair.interface} -o ${inside.interface} -j ACCEPT`,
        );
    }
    for (const net of inside.masquerade) lines.push(`${family(net)} nat POSTROUTING -o ${pair.interface} -s ${net} -j MASQUERADE`);
    return `${lines.join("\n")}\n`;
}

export function renderFwmarkRules(serviceName: string, svc: VirtualServiceModel): string | undefined {
    const fw = svc.fwmark;
    if (!fw) return undefined;
    const ports = [...fw.ports].sort((a, b) => a - b).join(",");
    return [
        header(`fwmark ${fw.mark} of VirtualService "${serviceName}"`),
        `${family(fw.vip)} mangle PREROUTING -d ${fw.vip} -p ${svc.protocol.toLowerCase()} -m multiport --dports ${ports} -j MARK --set-mark ${fw.mark}`,
        "",
    ].join("\n");
}
