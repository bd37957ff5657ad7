// A real server's host setup per forwarding mode: the sysctls and the systemd unit that puts the VIPs
// on lo (DR) or tunl0 (TUN), or the default route via the directors (NAT), so it survives a reboot.
import type { RealServerModel } from "../model/realServer";
import { family, hostCidr } from "../model/primitives";
import type { SysctlSetting } from "./sysctl";

export const DR_SYSCTLS: ReadonlyArray<SysctlSetting> = [
    { key: "net.ipv4.conf.all.arp_ignore", value: "1", reason: "answer ARP only for addresses of the NIC asked, never for the VIPs on lo" },
    { key: "net.ipv4.conf.lo.arp_ignore", value: "1", reason: "answer ARP only for addresses of the NIC asked, never for the VIPs on lo" },
    { key: "net.ipv4.conf.all.arp_announce", value: "2", reason: "never announce a VIP as the source of ARP requests" },
    { key: "net.ipv4.conf.lo.arp_announce", value: "2", reason: "never announce a VIP as the source of ARP requests" },
];

export const TUN_SYSCTLS: ReadonlyArray<SysctlSetting> = [
    { key: "net.ipv4.conf.all.arp_ignore", value: "1", reason: "answer ARP only for addresses of the NIC asked, never for the VIPs on tunl0" },
    { key: "net.ipv4.conf.all.arp_announce", value: "2", reason: "never announce a VIP as the source of ARP requests" },
    { key: "net.ipv4.conf.tunl0.arp_ignore", value: "1", reason: "answer ARP only for addresses of the NIC asked, never for the VIPs on tunl0" },
    { key: "net.ipv4.conf.tunl0.arp_announce", value: "2", reason: "never announce a VIP as the source of ARP requests" },
    { key: "net.ipv4.conf.all.rp_filter", value: "0", reason: "decapsulated packets to the VIP arrive on tunl0, not on the route back to the client" },
    { key: "net.ipv4.conf.tunl0.rp_filter", value: "0", reason: "decapsulated packets to the VIP arrive on tunl0, not on the route back to the client" },
];

export function hostSysctls(rs: RealServerModel): ReadonlyArray<SysctlSetting> {
    return rs.mode === "DR" ? DR_SYSCTLS : rs.mode === "TUN" ? TUN_SYSCTLS : [];
}

export function vipUnitName(stem: string): string {
    return `pulumi-lvs-vip-${stem}.service`;
}

/** What must be on the host once the unit runs: "dev addr/prefix" pairs, or "route GW". */
export function expectedState(rs: RealServerModel): string[] {
    if (rs.mode === "NAT") return [];
    const dev = rs.mode === "DR" ? "lo" : "tunl0";
    return [...rs.vips].sort().map((v) => `${dev}=${hostCidr(v)}`);
}

export function renderVipUnit(name: string, rs: RealServerModel, sysctlFile?: string): string {
    const head = [
        "# Managed by pulumi-lvs. Local edits are overwritten.",
        "[Unit]",
    ];
    const tail = ["", "[Install]", "WantedBy=multi-user.target", ""];
    if (rs.mode === "NAT") {
        const v6 = family(rs.gateway) === 6 ? " -6" : "";
        return [
            ...head,
            `Description=pulumi-lvs: default route of RealServer "${name}" via the directors (NAT mode)`,
            "After=network-online.target",
            "Wants=network-online.target",
            "",
            "[Service]",
            "Type=oneshot",
            "RemainAfterExit=yes",
            `ExecStart=/sbin/ip${v6} route replace default via ${rs.gateway}`,
            ...tail,
        ].join("\n");
    }
    const vips = [...rs.vips].sort().map(hostCidr);
    const dev = rs.mode === "DR" ? "lo" : "tunl0";
    return [
        ...head,
        `Description=pulumi-lvs: VIPs of RealServer "${name}" on ${dev} (${rs.mode} mode)`,
        "After=network-pre.target",
        "Before=network.target",
        "",
        "[Service]",
        "Type=oneshot",
        "RemainAfterExit=yes",
        ...(rs.mode === "TUN" ? ["ExecStartPre=/sbin/modprobe ipip", "ExecStartPre=/sbin/ip link set tunl0 up arp off"] : []),
        ...vips.map((cidr) => `ExecStart=/sbin/ip addr replace ${cidr} dev ${dev}`),
        // tunl0 exists only once ipip is loaded, after systemd-sysctl ran: apply its keys again.
        ...(rs.mode === "TUN" && sysctlFile ? [`ExecStartPost=-/sbin/sysctl -q -p ${sysctlFile}`] : []),
        // No ExecStop: another RealServer on this host may share these addresses. The delete script takes
        // each one off when its last claim goes (scripts/unit.sh).
        ...tail,
    ].join("\n");
}
