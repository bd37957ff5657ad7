// One director (an LvsDirectorPair without a secondary) holds its IPv4 VIPs on lo, in a unit of its own,
// not on the NIC: keepalived's VRRP, once a secondary is added, removes a VIP from the NIC when it starts
// and puts it back only on becoming MASTER (3 adverts later). On lo the VIP keeps answering meanwhile;
// the kernel answers ARP for it on every NIC while arp_ignore is 0 (directorSysctls).
import type { DirectorPairModel } from "../model/directorPair";
import { hostCidr } from "../model/primitives";

export function directorVipUnitName(name: string): string {
    return `pulumi-lvs-director-${name}-vips.service`;
}

/** "lo=addr/32" for each VIP, outside and inside, as unit.sh expects them once the unit ran. */
export function directorVipExpectations(pair: DirectorPairModel): string[] {
    return [...pair.vips, ...(pair.inside?.vips ?? [])].map((v) => `lo=${hostCidr(v.split("/")[0]!)}`).sort();
}

export function renderDirectorVipUnit(name: string, pair: DirectorPairModel): string {
    return [
        "# Managed by pulumi-lvs. Local edits are overwritten.",
        "[Unit]",
        `Description=pulumi-lvs: VIPs of the director of LvsDirectorPair "${name}" (one director, no VRRP), on lo`,
        "After=network-pre.target",
        "Before=network.target keepalived.service",
        "",
        "[Service]",
        "Type=oneshot",
        "RemainAfterExit=yes",
        ...directorVipExpectations(pair).map((e) => `ExecStart=/sbin/ip addr replace ${e.slice(3)} dev lo`),
        // No ExecStop: the delete script takes each address off (scripts/unit.sh), and only once nothing
        // else on the host claims it.
        "",
        "[Install]",
        "WantedBy=multi-user.target",
        "",
    ].join("\n");
}
