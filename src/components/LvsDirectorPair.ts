// LvsDirectorPair: two directors with ipvsadm + keepalived, sharing VIPs through VRRP.
import * as pulumi from "@pulumi/pulumi";
import type * as command from "@pulumi/command";
import { authHmacKeySchema, authPassSchema, directorPairSchema, pairVipAddresses, type DirectorPairModel } from "../model/directorPair";
import type { AuthType, DirectorRole } from "../model/names";
import { z } from "zod";
import { claimRouterIds, claimVips } from "../model/pairClaims";
import type { Connection } from "../model/connection";
import { dottedPath, type Problem } from "../model/errors";
import { SECRET_MARK, type Secrets } from "../model/secrets";
import { claimUnique } from "../model/uniqueness";
import { directorSysctls } from "../render/directorSysctls";
import { routerIdClaims, vrrpInstances } from "../render/vrrpInstances";
import { family, hostCidr, hostIdentity, hostPort } from "../model/primitives";
import { parseFacts, type DirectorFacts } from "../render/facts";
import { renderNatRules } from "../render/firewall";
import { natRuleSet } from "../render/ruleSets";
import { renderAuthDefinition, renderKeepalivedMain, routerIdOf, ROLES, type PairFacts } from "../render/keepalivedMain";
import { mergeSysctls, renderSysctlFile } from "../render/sysctl";
import { AUTH_FILE, keepalivedApply, keepalivedDelete, MAIN_FILE, withCompanion, type KeepalivedFile } from "../remote/keepalivedFile";
import { driftForget, withDriftMark } from "../remote/drift";
import { DIRECTOR_PACKAGES, packagesCreate, packagesDelete } from "../remote/packages";
import { FACTS_DELETE, factsRead } from "../remote/facts";
import { fwApply, fwDelete } from "../remote/firewall";
import { sysctlApply, sysctlDelete } from "../remote/sysctl";
import { VRRP_HOLD_FORGET, vrrpHold, vrrpPeerNote, vrrpRelease } from "../remote/vrrpHold";
import { vrrpIdentity } from "../render/vrrpIdentity";
import { directorVipExpectations, directorVipUnitName, oneDirectorArpSysctls, renderDirectorVipUnit } from "../render/directorVipUnit";
import { unitApply, unitDelete, type UnitExpectations } from "../remote/unit";
import { KEEPALIVED_CONF } from "../render/paths";
import { checked, componentNameSchema } from "./checked";
import { checkedConnection, connectionHost } from "./connection";
import type { ConnectionArgs } from "./connectionArgs";
import { hostCommand } from "./hostCommand";
import { driftTrigger } from "./driftProbe";

export interface TrackScriptArgs {
    /** vrrp_script name: 1-32 letters, digits, '_' or '-'. */
    name: pulumi.Input<string>;
    /** An absolute path and plain arguments; exit 0 means healthy. */
    command: pulumi.Input<string>;
    /** Seconds between runs. Defaults to 2. */
    interval?: pulumi.Input<number>;
    timeout?: pulumi.Input<number>;
    /** Added to the priority while healthy (> 0) or taken away while failing (< 0); 0 (default) puts the instance in FAULT. */
    weight?: pulumi.Input<number>;
    /** Consecutive failures / successes before the state changes. Default 2 each. */
    fall?: pulumi.Input<number>;
    rise?: pulumi.Input<number>;
}

export interface NotifyArgs {
    /** notify_master, notify_backup, notify_fault, notify_stop: absolute path and plain arguments. */
    master?: pulumi.Input<string>;
    backup?: pulumi.Input<string>;
    fault?: pulumi.Input<string>;
    stop?: pulumi.Input<string>;
    /** notify: called on every change with TYPE NAME STATE PRIORITY. */
    any?: pulumi.Input<string>;
}

/** The VRRP priority of each director, 1-254. */
export interface VrrpPrioritiesArgs {
    primary: pulumi.Input<number>;
    secondary: pulumi.Input<number>;
}

/** Each director's unicast address per NIC: NIC name -> addresses, at most one per address family. */
export interface UnicastAddressesArgs {
    primary: pulumi.Input<Record<string, pulumi.Input<pulumi.Input<string>[]>>>;
    secondary: pulumi.Input<Record<string, pulumi.Input<pulumi.Input<string>[]>>>;
}

/** keepalived's lvs_sync_daemon. */
export interface LvsSyncDaemonArgs {
    /** The NIC the connection table is sent on (usually the VRRP interface). */
    interface: pulumi.Input<string>;
    /** syncid, 0-255: tells apart pairs whose sync traffic shares a segment. */
    syncId?: pulumi.Input<number>;
}

/** keepalived.conf of each director. */
export interface DirectorConfigs {
    primary: string;
    /** Absent with one director. */
    secondary?: string;
}

export interface VrrpArgs {
    /** virtual_router_id, 1-255: unique among VRRP routers on the segment. */
    virtualRouterId: pulumi.Input<number>;
    /**
     * "PASS" (default): auth_pass, 8 characters. "HMAC": keepalived's auth_hmac block (HMAC-SHA256 with a
     * time-based anti-replay window, so the directors' clocks must agree), on every VRRP instance; needs
     * keepalived 2.4+ (checked on the hosts).
     */
    authType?: pulumi.Input<AuthType>;
    /**
     * auth_pass (authType PASS), 1-8 characters: keepalived silently ignores the rest, so longer
     * values are rejected. Pass it as a secret; it reaches the directors only in a 0600 file.
     */
    authPass?: pulumi.Input<string>;
    /** The auth_hmac key (authType HMAC), 32-64 characters, not starting with "hex:" or "file:". A secret, like authPass. */
    authHmacKey?: pulumi.Input<string>;
    /** advert_int, seconds between adverts; a backup takes over after about 3 of them. Defaults to 1. */
    advertInt?: pulumi.Input<number>;
    /** priority of each director, 1-254. Defaults to { primary: 150, secondary: 100 }. */
    priorities?: pulumi.Input<VrrpPrioritiesArgs>;
    /** Both start as BACKUP with `nopreempt`: a recovered director does not take the VIPs back. Defaults to false. */
    nopreempt?: pulumi.Input<boolean>;
    /** preempt_delay, seconds a recovered primary waits before taking the VIPs back. */
    preemptDelay?: pulumi.Input<number>;
    /**
     * Unicast adverts (unicast_src_ip / unicast_peer) instead of multicast, for networks that drop
     * multicast. Each director's address on each VRRP NIC is read from the host. Defaults to false.
     */
    unicast?: pulumi.Input<boolean>;
    /**
     * With unicast: each director's address per NIC, instead of reading it from the host. For a NIC with
     * several addresses, or only link-local IPv6 ones. At most one address per family and NIC, e.g.
     * { primary: { eth0: ["10.0.0.11"] }, secondary: { eth0: ["10.0.0.12"] } }. NICs left out are read.
     */
    unicastAddresses?: pulumi.Input<UnicastAddressesArgs>;
    /** track_interface: any of these NICs going down moves the VIPs away. */
    trackInterfaces?: pulumi.Input<pulumi.Input<string>[]>;
    /** vrrp_script + track_script: health scripts that move the VIPs away when they fail. */
    trackScripts?: pulumi.Input<pulumi.Input<TrackScriptArgs>[]>;
    /** notify scripts, on the sync group when the pair has several instances. */
    notify?: pulumi.Input<NotifyArgs>;
    /**
     * smtp_alert: e-mail on every VRRP state change, on the sync group when the pair has several instances
     * (one mail for the group), else on its one instance. Needs `emailAlerts`. keepalived's default: no mail.
     */
    smtpAlert?: pulumi.Input<boolean>;
    /**
     * The name of the IPv4 VRRP instance on `interface` (keepalived's logs, e-mail subjects, SNMP, and the
     * NAME argument of notify scripts): 1-64 letters, digits, '_', '.' or '-'. Defaults to
     * VI_<interface>_<virtualRouterId>, e.g. VI_eth0_51. Renaming restarts the instance on both directors,
     * the secondary held until the primary has the new name (like a new virtualRouterId).
     */
    instanceName?: pulumi.Input<string>;
    /** The name of the IPv6 VRRP instance on `interface`. Defaults to VI_<interface>_<virtualRouterId>_v6. */
    instanceNameV6?: pulumi.Input<string>;
    /** The name of the vrrp_sync_group of a pair with several instances. Defaults to VG_<interface>_<virtualRouterId>. */
    syncGroupName?: pulumi.Input<string>;
}

/** keepalived's SMTP relay. keepalived speaks plain SMTP (HELO, MAIL, RCPT, DATA): no AUTH, no TLS. */
export interface SmtpServerArgs {
    /** An IP address, or a host name: the directors resolve it whenever keepalived loads its config, and a name that does not resolve then fails the apply. */
    host: pulumi.Input<string>;
    /** Defaults to keepalived's 25. */
    port?: pulumi.Input<number>;
}

/**
 * keepalived's e-mail alerts (global_defs). keepalived sends mail for VRRP state changes where `vrrp.smtpAlert`
 * is set, and for every real server a health check takes out or puts back unless its check sets
 * `smtpAlert: false` (keepalived's own default for real servers is yes). keepalived cannot authenticate to
 * the relay: use one that accepts the directors by address (for example a local MTA that relays onwards).
 */
export interface EmailAlertsArgs {
    /** notification_email: the recipients, e.g. ["ops@example.com"]. */
    to: pulumi.Input<pulumi.Input<string>[]>;
    /** notification_email_from. keepalived's default: root@<the director's host name>. */
    from?: pulumi.Input<string>;
    /** smtp_server HOST [PORT]. */
    smtpServer: pulumi.Input<SmtpServerArgs>;
    /** smtp_connect_timeout, whole seconds (1-3600). keepalived's default: 30. */
    smtpConnectTimeout?: pulumi.Input<number>;
}

/** The directors' router_id, e.g. { primary: "lb01", secondary: "lb02" }. */
export interface RouterIdsArgs {
    /** Defaults to "<pair>-primary". */
    primary?: pulumi.Input<string>;
    /** Defaults to "<pair>-secondary". */
    secondary?: pulumi.Input<string>;
}

/** global_defs settings that hand-written configs carry. Each is left to keepalived's default when unset. */
export interface GlobalDefsArgs {
    /**
     * router_id of each director: 1-64 letters, digits, '_', '.' or '-', and the two must differ. keepalived
     * shows it in its logs and as "[router_id]" at the start of every e-mail subject.
     */
    routerIds?: pulumi.Input<RouterIdsArgs>;
    /** vrrp_garp_interval: seconds between gratuitous ARPs, 0.000001-4294.967295 (not 0: keepalived rejects it). keepalived's default: no delay. */
    vrrpGarpInterval?: pulumi.Input<number>;
    /** vrrp_gna_interval: seconds between unsolicited IPv6 neighbour adverts, as vrrpGarpInterval. keepalived's default: no delay. */
    vrrpGnaInterval?: pulumi.Input<number>;
    /** vrrp_skip_check_adv_addr: don't check the addresses of an advert from the same master as the last one. Defaults to false. */
    vrrpSkipCheckAdvAddr?: pulumi.Input<boolean>;
    /**
     * vrrp_strict. Refused unless vrrpStrictAcknowledged is true too: keepalived then adds DROP rules on the
     * master for the VIPs of every instance below priority 255 (all of a pair's), so clients cannot reach the virtual
     * services; it also refuses unicast, preempt_delay and password authentication (pulumi-lvs then writes
     * no authentication and starts both directors as BACKUP). Defaults to false.
     */
    vrrpStrict?: pulumi.Input<boolean>;
    /** The acknowledgement that vrrp_strict drops traffic to the VIPs. Defaults to false. */
    vrrpStrictAcknowledged?: pulumi.Input<boolean>;
}

export interface InsideArgs {
    /** The inside NIC, towards the real servers. */
    interface: pulumi.Input<string>;
    /** The inside VIPs: the real servers' default gateway. */
    vips: pulumi.Input<pulumi.Input<string>[]>;
    /** Defaults to vrrp.virtualRouterId. */
    virtualRouterId?: pulumi.Input<number>;
    /** Networks (e.g. the real servers' subnet) masqueraded when they open connections to the outside. */
    masquerade?: pulumi.Input<pulumi.Input<string>[]>;
    /** The name of the inside IPv4 VRRP instance. Defaults to VI_<interface>_<virtualRouterId>. */
    instanceName?: pulumi.Input<string>;
    /** The name of the inside IPv6 VRRP instance. Defaults to VI_<interface>_<virtualRouterId>_v6. */
    instanceNameV6?: pulumi.Input<string>;
}

export interface OneNicNatArgs {
    /**
     * The real servers' addresses or networks whose own connections to elsewhere leave through the
     * directors with `sourceVip` as their source (SNAT), e.g. ["10.0.0.21", "10.0.0.22"]. Defaults to none.
     */
    snat?: pulumi.Input<pulumi.Input<string>[]>;
    /** The VIP those connections leave from. Defaults to the first VIP of each address family. */
    sourceVip?: pulumi.Input<string>;
}

export interface LvsDirectorPairArgs {
    /** The director that holds the VIPs while it is healthy (state MASTER). */
    primary: pulumi.Input<ConnectionArgs>;
    /**
     * The director that takes over (state BACKUP). Changes are applied to it first. Leave it out, with
     * `vrrp`, for one director without VRRP: it holds its IPv4 VIPs on lo itself. Adding both later grows
     * it into a pair without a gap: the VIPs stay answered while VRRP takes them over on the NIC.
     */
    secondary?: pulumi.Input<ConnectionArgs>;
    /** The NIC carrying the VIPs and the VRRP adverts, e.g. "eth0". */
    interface: pulumi.Input<string>;
    /**
     * The VIPs (virtual_ipaddress), e.g. ["10.0.0.100"] or ["10.0.0.100/24", "fd00::100"]; /32 (/128)
     * when no prefix is given. IPv4 and IPv6 VIPs get one instance each, in one sync group.
     */
    vips: pulumi.Input<pulumi.Input<string>[]>;
    /** The VRRP instances of the pair: required with `secondary`, not given for one director. */
    vrrp?: VrrpArgs;
    /**
     * NAT with two NICs: the inside NIC and VIPs, in the same sync group as the outside VIPs so both fail
     * over together. Turns on IP forwarding and installs the pair's own firewall chains (forwarding, masquerade).
     */
    inside?: pulumi.Input<InsideArgs>;
    /**
     * NAT on one NIC: the real servers share `interface`'s segment and use a VIP of `vips` as their
     * default gateway. Turns on IP forwarding, turns off ICMP redirects (net.ipv4.conf.all and
     * `interface` send_redirects=0) and installs the pair's own firewall chains for `snat`. Clients on
     * that same segment cannot use the VIPs: the real servers answer them directly, from their own address.
     */
    oneNicNat?: pulumi.Input<OneNicNatArgs>;
    /** lvs_sync_daemon: the master sends its connection table to the backup, so failover keeps connections. */
    lvsSyncDaemon?: pulumi.Input<LvsSyncDaemonArgs>;
    /**
     * Extra sysctls on both directors, or overrides of the defaults
     * (net.ipv4.vs.expire_nodest_conn=1, net.ipv4.vs.expire_quiescent_template=1, ip_forward=1 with `inside` or `oneNicNat`, send_redirects=0 with `oneNicNat`).
     */
    sysctls?: pulumi.Input<Record<string, pulumi.Input<string | number>>>;
    /** keepalived's e-mail alerts: recipients, sender and SMTP relay (global_defs). None by default. */
    emailAlerts?: pulumi.Input<EmailAlertsArgs>;
    /** router_id and the VRRP tunables of global_defs. */
    globalDefs?: pulumi.Input<GlobalDefsArgs>;
    /**
     * Check for drift (keepalived.conf edited, keepalived stopped, a VIP removed from the master, and, for
     * each VirtualService, its file edited or its IPVS service deleted by hand): `preview` and `up` probe
     * the directors read-only over SSH; a difference shows as a replaced drift check that names it, and
     * `up` reports and repairs it. A stack in sync shows no change. Defaults to false.
     */
    driftCheck?: boolean;
    /**
     * For directors with a default-deny INPUT policy (iptables): opens, in chains of the pair's own, what
     * they must receive: VRRP (IP protocol 112) on the VIPs' NICs, the sync daemon's UDP 8848, the answers
     * to their own connections (health checks, e-mail alerts), and each VirtualService's VIP and port.
     * Destroy removes exactly those. A plain value: it decides which commands exist. Defaults to false.
     */
    firewall?: boolean;
}

/** auth_hmac appeared in keepalived 2.4. */
export const HMAC_MIN_KEEPALIVED = "2.4";

const authSchema = z.object({
    vrrp: z.object({ authType: z.enum(["PASS", "HMAC"]), authPass: authPassSchema.optional(), authHmacKey: authHmacKeySchema.optional() }).superRefine((a, ctx) => {
        if (a.authType === "PASS" && a.authPass === undefined) ctx.addIssue({ code: "custom", path: ["authPass"], message: "is required with authType PASS" });
        if (a.authType === "HMAC" && a.authHmacKey === undefined) ctx.addIssue({ code: "custom", path: ["authHmacKey"], message: "is required with authType HMAC" });
        if (a.authType === "PASS" && a.authHmacKey !== undefined) ctx.addIssue({ code: "custom", path: ["authHmacKey"], message: "applies only to authType HMAC" });
        if (a.authType === "HMAC" && a.authPass !== undefined) ctx.addIssue({ code: "custom", path: ["authPass"], message: "applies only to authType PASS" });
    }),
});

/** The directors' router_ids, given or derived from the pair's name, must differ. */
function routerIdClash(name: string, m: DirectorPairModel, secrets: Secrets): Problem[] {
    const primary = routerIdOf(name, m, "primary");
    const secondary = routerIdOf(name, m, "secondary");
    if (primary !== secondary) return [];
    const role: DirectorRole = m.globalDefs.routerIds.secondary !== undefined ? "secondary" : "primary";
    const path = ["globalDefs", "routerIds", role];
    return [{ path: path.join("."), value: secrets.has(path) ? SECRET_MARK : primary, rule: `is also the ${role === "primary" ? "secondary" : "primary"} director's router_id: keepalived's logs and e-mail subjects name the director by it` }];
}

/**
 * One director (no `secondary`) has no VRRP: what only a pair has is refused, naming the field. IPv6 VIPs
 * too: on lo, Linux answers neighbour solicitations only for addresses of the NIC asked.
 */
function oneDirectorProblems(m: DirectorPairModel, secrets: Secrets): Problem[] {
    const problems: Problem[] = [];
    const add = (path: Array<string | number>, value: unknown, rule: string) => problems.push({ path: dottedPath(path), value: secrets.has(path) ? SECRET_MARK : value, rule });
    const needsPair = "needs secondary: one director has no VRRP";
    if (m.vrrp) add(["vrrp"], "(given)", `${needsPair} (give secondary for a pair, or leave vrrp out)`);
    if (m.lvsSyncDaemon) add(["lvsSyncDaemon"], m.lvsSyncDaemon.interface, "needs secondary: the sync daemon sends the connection table to the other director");
    const g = m.globalDefs;
    if (g.routerIds.secondary !== undefined) add(["globalDefs", "routerIds", "secondary"], g.routerIds.secondary, "needs secondary: there is no secondary director");
    for (const key of ["vrrpGarpInterval", "vrrpGnaInterval"] as const) if (g[key] !== undefined) add(["globalDefs", key], g[key], needsPair);
    for (const key of ["vrrpSkipCheckAdvAddr", "vrrpStrict"] as const) if (g[key]) add(["globalDefs", key], g[key], needsPair);
    for (const key of ["virtualRouterId", "instanceName", "instanceNameV6"] as const) if (m.inside?.[key] !== undefined) add(["inside", key], m.inside[key], needsPair);
    const arpKeys = new Set(oneDirectorArpSysctls(m).map((s) => s.key));
    for (const [key, value] of Object.entries(m.sysctls)) {
        if (arpKeys.has(key) && String(value) !== "0") add(["sysctls", key], value, "is set to 0 on one director: its VIPs sit on lo, and the kernel answers ARP for them only at arp_ignore 0");
    }
    for (const [list, vips] of [["vips", m.vips], ["inside.vips", m.inside?.vips ?? []]] as const) {
        vips.forEach((v, i) => {
            if (family(v) === 6) add([...list.split("."), i], v, "is IPv6: one director holds its VIPs on lo, and Linux answers neighbour solicitations only for addresses of the NIC asked; IPv6 VIPs need a pair (secondary and vrrp)");
        });
    }
    return problems;
}

/** What a VirtualService needs of one director. */
export interface DirectorNode {
    role: DirectorRole;
    connection: pulumi.Output<command.types.input.remote.ConnectionArgs>;
    /** keepalived runs with the pair's configuration once this is done. */
    ready: pulumi.Resource;
}

export class LvsDirectorPair extends pulumi.ComponentResource {
    /** The VIPs, as given. */
    readonly vips: pulumi.Output<string[]>;
    /** The inside VIPs (`inside.vips`), as given: the default gateway of NAT real servers. Empty without `inside`. */
    readonly insideVips: pulumi.Output<string[]>;
    /** The host of the primary director (MASTER) and of the secondary (BACKUP), as given in their connections; "" without a secondary. */
    readonly primaryHost: pulumi.Output<string>;
    readonly secondaryHost: pulumi.Output<string>;
    /** The VRRP interface. */
    readonly interface: pulumi.Output<string>;
    /** The NIC towards the real servers: `inside.interface`, else `interface`. NAT replies come in on it. */
    readonly realServerInterface: pulumi.Output<string>;
    /** keepalived.conf of each director (it holds no secret: the password is a definition in another file); one director: primary only. */
    readonly configs: pulumi.Output<DirectorConfigs>;
    /** The directors in the order changes are applied: secondary (BACKUP) first, then primary. */
    readonly directors: DirectorNode[];
    /** Whether drift is probed on every preview and up, and repaired by `up`. */
    readonly driftCheck: boolean;
    /** Whether the directors' INPUT is opened for what the pair and its VirtualServices need (`firewall`). */
    readonly firewall: boolean;
    /** The component's name, as given. */
    readonly name: string;

    constructor(name: string, args: LvsDirectorPairArgs, opts?: pulumi.ComponentResourceOptions) {
        super("pulumi-lvs:index:LvsDirectorPair", name, {}, opts);
        this.name = name;
        const component = "LvsDirectorPair";
        checked(component, name, componentNameSchema, { name }, this);
        const oneDirector = args.secondary === undefined;
        const { authPass, authHmacKey, ...vrrp } = args.vrrp ?? {};
        const input = { interface: args.interface, vips: args.vips, vrrp: args.vrrp === undefined ? undefined : vrrp, inside: args.inside, oneNicNat: args.oneNicNat, lvsSyncDaemon: args.lvsSyncDaemon, sysctls: args.sysctls, emailAlerts: args.emailAlerts, globalDefs: args.globalDefs, firewall: args.firewall };
        const model: pulumi.Output<DirectorPairModel> = checked(component, name, directorPairSchema, input, this, (m, secrets) => [
            ...(oneDirector ? oneDirectorProblems(m, secrets) : m.vrrp ? routerIdClash(name, m, secrets) : [{ path: "vrrp", value: undefined, rule: "is required with secondary: the two directors share the VIPs through VRRP" }]),
            ...claimRouterIds(name, routerIdClaims(m), secrets),
            ...claimVips(name, [...m.vips.map((vip, i) => ({ vip, path: ["vips", i] })), ...(m.inside?.vips ?? []).map((vip, i) => ({ vip, path: ["inside", "vips", i] }))], secrets),
        ]);
        const hmac = model.apply((m) => m.vrrp?.authType === "HMAC");
        const auth: pulumi.Output<z.output<typeof authSchema> | undefined> = oneDirector ? model.apply(() => undefined) : checked(component, name, authSchema, { vrrp: { authType: args.vrrp?.authType ?? "PASS", authPass, authHmacKey } }, this);
        const authText = pulumi.secret(auth.apply((a) => (a ? renderAuthDefinition(a.vrrp.authType === "HMAC" ? a.vrrp.authHmacKey! : a.vrrp.authPass!) : "")));
        const sysctlText = model.apply((m) => renderSysctlFile(`LvsDirectorPair "${name}"`, mergeSysctls(directorSysctls(m), m.sysctls)));
        const natRules = model.apply((m) => renderNatRules(name, m));

        // Each director: packages, then its facts (keepalived version, addresses), on both in parallel.
        const connections = {} as Record<DirectorRole, pulumi.Output<command.types.input.remote.ConnectionArgs>>;
        const facts = {} as Record<DirectorRole, pulumi.Output<DirectorFacts>>;
        const factsCmds = {} as Record<DirectorRole, pulumi.Resource>;
        // Two pairs (or both directors of one) on one host would overwrite each other's keepalived.conf.
        const hostClaim = (role: DirectorRole) => (c: Connection, secrets: Secrets): Problem[] => {
            const holder = claimUnique("director host", hostPort(hostIdentity(c.host), c.port), `LvsDirectorPair "${name}" (${role})`);
            if (holder === undefined) return [];
            const value = secrets.has([role, "host"]) || secrets.has([role, "port"]) ? SECRET_MARK : hostPort(c.host, c.port);
            return [{ path: `${role}.host`, value, rule: `is already the director of ${holder}: one LvsDirectorPair per director host` }];
        };
        const roles: ReadonlyArray<DirectorRole> = oneDirector ? ["primary"] : ROLES;
        const checkedConnections = Object.fromEntries(roles.map((role) => [role, checkedConnection(component, name, role, role === "primary" ? args.primary : args.secondary!, this, hostClaim(role))]));
        for (const role of roles) {
            // No command can start before every input is valid, Outputs included, the other director's too.
            connections[role] = pulumi.all([pulumi.all(checkedConnections), model, auth]).apply(([c]) => c[role]!);
            const packages = hostCommand(`${name}-${role}-packages`, {
                connection: connections[role],
                title: `ipvsadm and keepalived (${role} director)`,
                apply: packagesCreate(DIRECTOR_PACKAGES, ["ip_vs"]),
                remove: packagesDelete(DIRECTOR_PACKAGES),
            }, { parent: this });
            const factsCmd = hostCommand(`${name}-${role}-facts`, {
                connection: connections[role],
                title: `facts (${role} director)`,
                apply: hmac.apply((h) => factsRead(h ? { version: HMAC_MIN_KEEPALIVED, reason: "vrrp.authType HMAC (auth_hmac)" } : undefined)),
                remove: FACTS_DELETE,
            }, { parent: this, dependsOn: [packages] });
            factsCmds[role] = factsCmd;
            facts[role] = pulumi.all([factsCmd.stdout, model]).apply(([out, m]) => parseFacts(out, pairVipAddresses(m)));
        }
        // One director's keepalived.conf reads no facts (no unicast peers).
        const pairFacts: pulumi.Output<PairFacts | undefined> = oneDirector ? pulumi.output(undefined)
            : pulumi.all([facts.primary, facts.secondary]).apply(([primary, secondary]) => ({ primary, secondary }));
        const configs = Object.fromEntries(roles.map((role) => [role, pulumi.all([model, pairFacts]).apply(([m, f]) => renderKeepalivedMain(name, m, role, f))])) as Record<DirectorRole, pulumi.Output<string>>;

        // What both directors must share to hear each other, with the password: when it changes, the
        // secondary is held (keepalived stopped) until the primary has it, so the two never speak different
        // VRRP with both running (see scripts/vrrp-hold.sh). The hold's output feeds the release and the
        // primary's note, so both run again whenever the hold ran.
        const identity = pulumi.secret(pulumi.all([model, pairFacts, authText]).apply(([m, f, a]) => (m.vrrp ? `${vrrpIdentity({ ...m, vrrp: m.vrrp }, f)}${a}` : "")));
        const vips = model.apply((m) => vrrpInstances(m).flatMap((i) => i.vips.map((v) => `${v.includes("/") ? v : hostCidr(v)}@${i.interface}`)));
        const releaseName = `${name}-secondary-vrrp-release`;
        let hold: command.remote.Command | undefined;

        // Then the configuration, secondary (BACKUP) first.
        this.directors = [];
        this.driftCheck = args.driftCheck ?? false;
        this.firewall = args.firewall ?? false;
        const nat = args.inside !== undefined || args.oneNicNat !== undefined;
        let previous: pulumi.Resource | undefined;
        const mainCmds: command.remote.Command[] = [];
        for (const role of [...roles].reverse()) {
            const connection = connections[role];
            const child = (suffix: string) => `${name}-${role}-${suffix}`;
            const sysctls = hostCommand(child("sysctls"), {
                connection,
                title: `director sysctls (${role})`,
                apply: sysctlApply(`director-${name}`),
                remove: sysctlDelete(`director-${name}`),
                stdin: sysctlText,
            }, { parent: this, dependsOn: [...roles.map((r) => factsCmds[r]), ...(previous ? [previous] : [])] });
            let beforeAuth: pulumi.Resource = sysctls;
            if (nat || this.firewall) {
                // Named "nat" since before `firewall`: the one command for the pair's own chains.
                beforeAuth = hostCommand(child("nat"), {
                    connection,
                    title: `${nat ? "NAT forwarding and masquerading" : "firewall"} rules (${role} director)`,
                    apply: fwApply(natRuleSet(name)),
                    remove: fwDelete(natRuleSet(name)),
                    stdin: natRules.apply((t) => t ?? ""),
                    // The set's name is what it is on the hosts: another name (an older naming) is a new
                    // set, created before the old one is deleted.
                    replaceOn: [natRuleSet(name)],
                }, { parent: this, dependsOn: [sysctls] });
            }
            if (oneDirector) {
                // The VIPs on lo and the ARP settings that answer them: both are deleted last when the director
                // grows into a pair (VRRP then holds the VIPs on the NIC), the ARP settings first.
                const expect = model.apply((m): UnitExpectations => ({ expect: directorVipExpectations(m), guard: KEEPALIVED_CONF }));
                const vipsCmd = hostCommand(child("vips"), {
                    connection,
                    title: "VIPs on lo (one director, no VRRP)",
                    apply: expect.apply((e) => unitApply(directorVipUnitName(name), e)),
                    remove: expect.apply((e) => unitDelete(directorVipUnitName(name), e)),
                    stdin: model.apply((m) => renderDirectorVipUnit(name, m)),
                }, { parent: this, dependsOn: [beforeAuth] });
                beforeAuth = hostCommand(child("arp"), {
                    connection,
                    title: "ARP for the VIPs on lo (one director)",
                    apply: sysctlApply(`director-${name}-arp`),
                    remove: sysctlDelete(`director-${name}-arp`),
                    stdin: model.apply((m) => renderSysctlFile(`LvsDirectorPair "${name}" (one director: ARP for its VIPs on lo)`, oneDirectorArpSysctls(m))),
                }, { parent: this, dependsOn: [vipsCmd] });
            } else if (role === "secondary") {
                hold = hostCommand(child("vrrp-hold"), {
                    connection,
                    title: "hold while the VRRP settings change (secondary director)",
                    apply: vips.apply(vrrpHold),
                    remove: VRRP_HOLD_FORGET,
                    stdin: identity,
                }, { parent: this, dependsOn: [beforeAuth], additionalSecretOutputs: ["stdin"] });
                beforeAuth = hold;
            } else {
                beforeAuth = hostCommand(child("vrrp-peer"), {
                    connection,
                    title: "whether the secondary director is held (primary director)",
                    apply: vrrpPeerNote(releaseName),
                    remove: "true",
                    stdin: pulumi.secret(pulumi.all([hold!.stdout, identity]).apply(([h, i]) => `${h.trim()}\n${i}`)),
                }, { parent: this, dependsOn: [beforeAuth, hold!], additionalSecretOutputs: ["stdin"] });
            }
            // auth.conf travels with the keepalived.conf it goes with: the two are validated (and, when both
            // change, installed and loaded) together. One director has no VRRP and so no password.
            const authCmd = oneDirector ? beforeAuth : hostCommand(child("auth"), {
                connection,
                title: `VRRP password definition (${role})`,
                apply: keepalivedApply(AUTH_FILE),
                remove: keepalivedDelete(AUTH_FILE),
                stdin: pulumi.secret(pulumi.all([authText, configs[role]]).apply(([a, c]) => withCompanion(a, c))),
            }, { parent: this, dependsOn: [beforeAuth], additionalSecretOutputs: ["stdin"] });
            const keepalived = hostCommand(child("keepalived"), {
                connection,
                title: `keepalived.conf (${role} director)`,
                apply: keepalivedApply(MAIN_FILE),
                remove: keepalivedDelete(MAIN_FILE),
                stdin: configs[role],
            }, { parent: this, dependsOn: [authCmd] });
            this.directors.push({ role, connection, ready: keepalived });
            mainCmds.push(keepalived);
            previous = keepalived;
        }
        // After the primary's keepalived.conf (not after the VirtualServices, which come later): the held
        // secondary starts with its new files and must stay BACKUP.
        const release = oneDirector ? mainCmds[0]! : hostCommand(releaseName, {
            connection: connections.secondary,
            title: "release of the held secondary director",
            apply: pulumi.all([vips, model]).apply(([v, m]) => vrrpRelease(v, m.vrrp!.advertInt)),
            remove: "true",
            stdin: hold!.stdout,
        }, { parent: this, dependsOn: [previous!] });
        if (args.driftCheck) {
            const file = vips.apply((v): KeepalivedFile => ({ ...MAIN_FILE, drift: true, vips: v }));
            this.directors.forEach(({ role, connection, ready }, i) => {
                const mark = driftTrigger({
                    what: `LvsDirectorPair "${name}": drift check of keepalived.conf and the VIPs (${role} director)`,
                    connection, file, content: configs[role], after: [mainCmds[i]!, release], parent: this,
                });
                hostCommand(`${name}-${role}-drift`, {
                    connection,
                    title: `drift check of keepalived.conf and the VIPs (${role} director)`,
                    apply: file.apply(keepalivedApply),
                    remove: driftForget(MAIN_FILE),
                    stdin: pulumi.all([mark, configs[role]]).apply(([m, c]) => withDriftMark(m, c)),
                    replaceOn: [mark],
                }, { parent: this, dependsOn: [ready, release] });
            });
        }

        this.vips = model.apply((m) => m.vips);
        this.insideVips = model.apply((m) => m.inside?.vips ?? []);
        this.primaryHost = connectionHost(args.primary);
        this.secondaryHost = args.secondary === undefined ? pulumi.output("") : connectionHost(args.secondary);
        this.interface = model.apply((m) => m.interface);
        this.realServerInterface = model.apply((m) => m.inside?.interface ?? m.interface);
        this.configs = pulumi.output(configs);
        this.registerOutputs({ vips: this.vips, insideVips: this.insideVips, primaryHost: this.primaryHost, secondaryHost: this.secondaryHost, interface: this.interface, configs: this.configs });
    }
}
