// One director (an LvsDirectorPair without a secondary) holds its IPv4 VIPs on lo, in a unit of its own,
// not on the NIC: keepalived's VRRP, once a secondary is added, removes a VIP from the NIC when it starts
// and puts it back only on becoming MASTER (3 adverts later). On lo the VIP keeps answering meanwhile;
// the kernel answers ARP for it on every NIC while arp_ignore is 0 (directorSysctls).
import { pairVipAddresses, type DirectorPairModel } from "../model/directorPair";
import { hostCidr } from "../model/primitives";
import type { SysctlSetting } from "./sysctl";

export function directorVipUnitName(name: string): string {
    return `pulumi-lvs-director-${name}-vips.service`;
}

/** "lo=addr/32" for each VIP, outside and inside, as unit.sh expects them once the unit ran. */
export function directorVipExpectations(pair: DirectorPairModel): string[] {
    return pairVipAddresses(pair).map((a) => `lo=${hostCidr(a)}`).sort();
}

function announcements(pair: DirectorPairModel): Array<[string, string]> {
    const of = (nic: string, vips: string[]) => vips.map((v): [string, string] => [nic, v.split("/")[0]!]);
    return [...of(pair.interface, pair.vips), ...(pair.inside ? of(pair.inside.interface, pair.inside.vips) : [])];
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
        // Gratuitous ARP on the NIC where arping is installed (RHEL's iputils has it, Debian's
        // iputils-arping is not installed by default): a VIP that was elsewhere before is reached here at
        // once, not once the neighbours' ARP entries expire.
        ...announcements(pair).map(([nic, addr]) => `ExecStartPost=-/bin/sh -c 'command -v arping >/dev/null || exit 0; arping -q -U -c 2 -I ${nic} ${addr}'`),
        // No ExecStop: the delete script takes each address off (scripts/unit.sh), and only once nothing
        // else on the host claims it.
        "",
        "[Install]",
        "WantedBy=multi-user.target",
        "",
    ].join("\n");
}

/**
 * The kernel answers ARP for an address on lo only while both "all" and the NIC's own arp_ignore are 0.
 * A file of its own, which goes with the unit: when the director grows into a pair, both go last, once
 * VRRP holds the VIPs on the NIC.
 */
export function oneDirectorArpSysctls(pair: DirectorPairModel): SysctlSetting[] {
    const reason = "one director: its VIPs sit on lo, and ARP for them is answered on this NIC";
    const nics = new Set([pair.interface, ...(pair.inside ? [pair.inside.interface] : [])]);
    return ["all", ...nics].map((nic) => ({ key: `net.ipv4.conf.${nic.replace(/\./g, "/")}.arp_ignore`, value: "0", reason }));
}
