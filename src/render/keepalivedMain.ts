// The director's keepalived.conf: global_defs, the vrrp_scripts, one VRRP instance per (NIC, family)
// in one sync group, and the includes of the password definition (a separate 0600 file) and of one
// file per VirtualService.
import type { DirectorPairModel, VrrpPairModel } from "../model/directorPair";
import { family, formatSeconds, hostCidr } from "../model/primitives";
import type { DirectorRole } from "../model/names";
import type { DirectorFacts } from "./facts";
import { AUTH_CONF, SERVICES_DIR } from "./paths";
import { syncGroupName, vrrpInstances, type VrrpInstance } from "./vrrpInstances";

export type { DirectorRole } from "../model/names";
export const ROLES: ReadonlyArray<DirectorRole> = ["primary", "secondary"];

/** The keepalived definition that holds the VRRP password, so it never appears in this file. */
export const AUTH_PASS_NAME = "PULUMI_LVS_AUTH_PASS";

/** Facts of both directors: needed for unicast peers. */
export type PairFacts = Record<DirectorRole, DirectorFacts>;

export function renderKeepalivedMain(pairName: string, pair: DirectorPairModel, role: DirectorRole, facts?: PairFacts): string {
    if (!pair.vrrp) return renderOneDirectorMain(pairName, pair);
    const vrrpPair: VrrpPairModel = { ...pair, vrrp: pair.vrrp };
    const { vrrp } = vrrpPair;
    const instances = vrrpInstances(pair);
    const grouped = instances.length > 1;
    const notify = renderNotify(vrrp.notify);
    const smtpAlert = vrrp.smtpAlert === undefined ? [] : [`smtp_alert ${vrrp.smtpAlert ? "yes" : "no"}`];
    const g = pair.globalDefs;
    const lines = [
        `# Managed by pulumi-lvs: LvsDirectorPair "${pairName}", ${role} director. Local edits are overwritten.`,
        `include ${AUTH_CONF}`,
        "",
        "global_defs {",
        ...renderGlobalCommon(pairName, pair, role),
        ...(g.vrrpGarpInterval !== undefined ? [`    vrrp_garp_interval ${formatSeconds(g.vrrpGarpInterval)}`] : []),
        ...(g.vrrpGnaInterval !== undefined ? [`    vrrp_gna_interval ${formatSeconds(g.vrrpGnaInterval)}`] : []),
        ...(g.vrrpSkipCheckAdvAddr ? ["    vrrp_skip_check_adv_addr"] : []),
        ...(g.vrrpStrict ? ["    vrrp_strict"] : []),
        ...(pair.lvsSyncDaemon ? [`    lvs_sync_daemon ${pair.lvsSyncDaemon.interface} ${instances[0]!.name} id ${pair.lvsSyncDaemon.syncId}`] : []),
        "}",
        ...vrrp.trackScripts.flatMap((s) => [
            "",
            `vrrp_script ${s.name} {`,
            `    script "${s.command}"`,
            `    interval ${s.interval}`,
            ...(s.timeout !== undefined ? [`    timeout ${s.timeout}`] : []),
            `    weight ${s.weight}`,
            `    fall ${s.fall}`,
            `    rise ${s.rise}`,
            "}",
        ]),
        ...(grouped ? [
            "",
            `vrrp_sync_group ${syncGroupName(vrrpPair)} {`,
            "    group {",
            ...instances.map((i) => `        ${i.name}`),
            "    }",
            ...notify.map((l) => `    ${l}`),
            ...smtpAlert.map((l) => `    ${l}`),
            "}",
        ] : []),
        ...instances.flatMap((i) => ["", ...renderInstance(i, vrrpPair, role, grouped ? [] : [...notify, ...smtpAlert], facts)]),
        "",
        `include ${SERVICES_DIR}/*.conf`,
    ];
    return `${lines.join("\n")}\n`;
}

/**
 * One director (no VRRP): global_defs and the services. Its VIPs are not keepalived's: a unit puts them on
 * lo (renderDirectorVipUnit), so that a secondary added later takes them over through VRRP without a gap.
 */
function renderOneDirectorMain(name: string, pair: DirectorPairModel): string {
    const lines = [
        `# Managed by pulumi-lvs: LvsDirectorPair "${name}", its one director (no VRRP). Local edits are overwritten.`,
        "",
        "global_defs {",
        ...renderGlobalCommon(name, pair, "primary"),
        "}",
        "",
        `include ${SERVICES_DIR}/*.conf`,
    ];
    return `${lines.join("\n")}\n`;
}

function renderGlobalCommon(name: string, pair: DirectorPairModel, role: DirectorRole): string[] {
    return [
        `    router_id ${routerIdOf(name, pair, role)}`,
        "    enable_script_security",
        "    script_user root",
        ...renderEmail(pair.emailAlerts),
    ];
}

function renderInstance(inst: VrrpInstance, pair: VrrpPairModel, role: DirectorRole, notify: string[], facts?: PairFacts): string[] {
    const { vrrp } = pair;
    // keepalived clears preempt_delay on an initial MASTER: with a delay both start as BACKUP, and the
    // higher priority takes over once the delay has passed. vrrp_strict allows MASTER only at priority 255.
    const strict = pair.globalDefs.vrrpStrict;
    const state = vrrp.nopreempt || vrrp.preemptDelay !== undefined || strict || role === "secondary" ? "BACKUP" : "MASTER";
    const tracked = vrrp.trackInterfaces.filter((t) => t !== inst.interface);
    const peer: DirectorRole = role === "primary" ? "secondary" : "primary";
    const unicast = vrrp.unicast ? [
        `    unicast_src_ip ${addressOn(pair, facts, role, inst)}`,
        "    unicast_peer {",
        `        ${addressOn(pair, facts, peer, inst)}`,
        "    }",
    ] : [];
    // HMAC: keepalived 2.4's auth_hmac block, on every instance (VRRPv2 and v3). PASS: the legacy
    // authentication block, which VRRPv3 (the only version for IPv6) and vrrp_strict do not have.
    const auth = vrrp.authType === "HMAC" ? [
        "    auth_hmac {",
        `        key 1 $${AUTH_PASS_NAME}`,
        "        active_key 1",
        "    }",
    ] : inst.family === 4 && !strict ? [
        "    authentication {",
        "        auth_type PASS",
        `        auth_pass $${AUTH_PASS_NAME}`,
        "    }",
    ] : [];
    return [
        `vrrp_instance ${inst.name} {`,
        `    state ${state}`,
        `    interface ${inst.interface}`,
        `    virtual_router_id ${inst.virtualRouterId}`,
        `    priority ${vrrp.priorities[role]}`,
        `    advert_int ${vrrp.advertInt}`,
        ...(vrrp.nopreempt ? ["    nopreempt"] : []),
        ...(vrrp.preemptDelay !== undefined ? [`    preempt_delay ${vrrp.preemptDelay}`] : []),
        ...unicast,
        ...auth,
        // An instance tracks its own NIC anyway (keepalived ignores it, with a warning).
        ...(tracked.length ? ["    track_interface {", ...tracked.map((t) => `        ${t}`), "    }"] : []),
        ...(vrrp.trackScripts.length ? ["    track_script {", ...vrrp.trackScripts.map((s) => `        ${s.name}`), "    }"] : []),
        ...notify.map((l) => `    ${l}`),
        "    virtual_ipaddress {",
        ...inst.vips.map((vip) => `        ${vip.includes("/") ? vip : hostCidr(vip)} dev ${inst.interface}`),
        "    }",
        "}",
    ];
}

/** router_id: given in globalDefs.routerIds, else "<pair>-<role>". */
export function routerIdOf(pairName: string, pair: DirectorPairModel, role: DirectorRole): string {
    return pair.globalDefs.routerIds[role] ?? `${pairName}-${role}`;
}

/** notification_email and the SMTP relay; keepalived sends no mail without both (and has no SMTP AUTH). */
function renderEmail(e: DirectorPairModel["emailAlerts"]): string[] {
    if (!e) return [];
    return [
        "    notification_email {",
        ...e.to.map((a) => `        ${a}`),
        "    }",
        ...(e.from !== undefined ? [`    notification_email_from ${e.from}`] : []),
        `    smtp_server ${e.smtpServer.host}${e.smtpServer.port !== undefined ? ` ${e.smtpServer.port}` : ""}`,
        ...(e.smtpConnectTimeout !== undefined ? [`    smtp_connect_timeout ${e.smtpConnectTimeout}`] : []),
    ];
}

function renderNotify(n: VrrpPairModel["vrrp"]["notify"]): string[] {
    return ([["master", "notify_master"], ["backup", "notify_backup"], ["fault", "notify_fault"], ["stop", "notify_stop"], ["any", "notify"]] as const)
        .flatMap(([key, keyword]) => (n[key] ? [`${keyword} "${n[key]}"`] : []));
}

/** A director's own address on the instance's NIC: given in vrrp.unicastAddresses, else read on the host. */
export function addressOn(pair: VrrpPairModel, facts: PairFacts | undefined, role: DirectorRole, inst: VrrpInstance): string {
    const ofFamily = (list: string[] | undefined) => list?.find((a) => family(a) === inst.family);
    const found = ofFamily(pair.vrrp.unicastAddresses?.[role][inst.interface]) ?? ofFamily(facts?.[role].addresses[inst.interface]);
    if (!found) {
        throw new Error(`unicast VRRP needs the ${role} director's IPv${inst.family} address on ${inst.interface}: the host has no global one; give it in vrrp.unicastAddresses.${role}.${inst.interface}`);
    }
    return found;
}

/** The 0600 file with the password definition; its text is secret. */
export function renderAuthDefinition(authPass: string): string {
    return `# Managed by pulumi-lvs: the VRRP password, used as $${AUTH_PASS_NAME} in keepalived.conf.\n$${AUTH_PASS_NAME}=${authPass}\n`;
}
