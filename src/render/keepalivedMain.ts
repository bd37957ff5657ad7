// The director's keepalived.conf: global_defs, the VRRP instance, and the includes of the password
// definition (a separate 0600 file) and of one file per VirtualService.
import type { DirectorPairModel } from "../model/directorPair";
import { hostCidr } from "../model/primitives";
import { AUTH_CONF, SERVICES_DIR } from "./paths";

export type DirectorRole = "primary" | "secondary";

/** The keepalived definition that holds the VRRP password, so it never appears in this file. */
export const AUTH_PASS_NAME = "PULUMI_LVS_AUTH_PASS";

export function vrrpInstanceName(pairName: string): string {
    return `${pairName.replace(/[^A-Za-z0-9_]/g, "_")}`;
}

export function renderKeepalivedMain(pairName: string, pair: DirectorPairModel, role: DirectorRole): string {
    const { vrrp } = pair;
    const state = vrrp.nopreempt || role === "secondary" ? "BACKUP" : "MASTER";
    const lines = [
        `# Managed by pulumi-lvs: LvsDirectorPair "${pairName}", ${role} director. Local edits are overwritten.`,
        `include ${AUTH_CONF}`,
        "",
        "global_defs {",
        `    router_id ${pairName}-${role}`,
        "    enable_script_security",
        "    script_user root",
        "}",
        "",
        `vrrp_instance ${vrrpInstanceName(pairName)} {`,
        `    state ${state}`,
        `    interface ${pair.interface}`,
        `    virtual_router_id ${vrrp.virtualRouterId}`,
        `    priority ${vrrp.priorities[role]}`,
        `    advert_int ${vrrp.advertInt}`,
        ...(vrrp.nopreempt ? ["    nopreempt"] : []),
        ...(vrrp.preemptDelay !== undefined ? [`    preempt_delay ${vrrp.preemptDelay}`] : []),
        "    authentication {",
        "        auth_type PASS",
        `        auth_pass $${AUTH_PASS_NAME}`,
        "    }",
        "    virtual_ipaddress {",
        ...pair.vips.map((vip) => `        ${vip.includes("/") ? vip : hostCidr(vip)} dev ${pair.interface}`),
        "    }",
        "}",
        "",
        `include ${SERVICES_DIR}/*.conf`,
    ];
    return `${lines.join("\n")}\n`;
}

/** The 0600 file with the password definition; its text is secret. */
export function renderAuthDefinition(authPass: string): string {
    return `# Managed by pulumi-lvs: the VRRP password, used as $${AUTH_PASS_NAME} in keepalived.conf.\n$${AUTH_PASS_NAME}=${authPass}\n`;
}
