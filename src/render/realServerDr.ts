// A DR real server: the VIPs on lo (a systemd unit, so they come back after a reboot) and the ARP
// sysctls that stop it answering ARP for them.
import type { RealServerModel } from "../model/realServer";
import { hostCidr } from "../model/primitives";
import type { SysctlSetting } from "./sysctl";

export const DR_SYSCTLS: ReadonlyArray<SysctlSetting> = [
    { key: "net.ipv4.conf.all.arp_ignore", value: "1", reason: "answer ARP only for addresses of the NIC asked, never for the VIPs on lo" },
    { key: "net.ipv4.conf.lo.arp_ignore", value: "1", reason: "answer ARP only for addresses of the NIC asked, never for the VIPs on lo" },
    { key: "net.ipv4.conf.all.arp_announce", value: "2", reason: "never announce a VIP as the source of ARP requests" },
    { key: "net.ipv4.conf.lo.arp_announce", value: "2", reason: "never announce a VIP as the source of ARP requests" },
];

export function vipUnitName(stem: string): string {
    return `pulumi-lvs-vip-${stem}.service`;
}

export function renderVipUnit(name: string, rs: RealServerModel): string {
    const vips = [...rs.vips].sort().map(hostCidr);
    return [
        "# Managed by pulumi-lvs. Local edits are overwritten.",
        "[Unit]",
        `Description=pulumi-lvs: VIPs of RealServer "${name}" on lo (${rs.mode} mode)`,
        "After=network-pre.target",
        "Before=network.target",
        "",
        "[Service]",
        "Type=oneshot",
        "RemainAfterExit=yes",
        ...vips.map((cidr) => `ExecStart=/sbin/ip addr replace ${cidr} dev lo`),
        ...vips.map((cidr) => `ExecStop=-/sbin/ip addr del ${cidr} dev lo`),
        "",
        "[Install]",
        "WantedBy=multi-user.target",
        "",
    ].join("\n");
}
