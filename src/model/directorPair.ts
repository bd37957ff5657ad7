// LvsDirectorPair: two directors sharing VIPs through keepalived VRRP instances (one per NIC and
// address family, in one sync group when there are several).
import { z } from "zod";
import { scriptCommand } from "./healthCheck";
import { AuthType } from "./names";
import { addRule, type Path, type Secrets } from "./secrets";
import { family, interfaceName, ipAddress, ipWithPrefix, isIp, seconds, valuesOf } from "./primitives";
import { emailAlertsSchema, globalDefsSchema, keepalivedName } from "./globalDefs";

export { AuthType } from "./names";

export const DEFAULT_PRIORITIES = { primary: 150, secondary: 100 } as const;

const whole = z.number().int({ message: "must be a whole number" });
const priority = whole.min(1).max(254);
const routerId = whole.min(1).max(255);

export const trackScriptSchema = z.object({
    /** vrrp_script name. */
    name: z.string().regex(/^[A-Za-z0-9_-]{1,32}$/, { message: "must be 1-32 letters, digits, '_' or '-'" }),
    /** The command: exit 0 = healthy. */
    command: scriptCommand,
    /** interval, seconds between runs. */
    interval: seconds.max(3600).default(2),
    /** timeout, seconds. */
    timeout: seconds.max(3600).optional(),
    /** weight added to the priority while healthy (positive) or taken while failing (negative); 0 = FAULT on failure. */
    weight: whole.min(-253).max(253).default(0),
    /** fall / rise: consecutive results before the state changes. */
    fall: whole.min(1).max(100).default(2),
    rise: whole.min(1).max(100).default(2),
}).strict();

const notifySchema = z.object({
    master: scriptCommand.optional(),
    backup: scriptCommand.optional(),
    fault: scriptCommand.optional(),
    stop: scriptCommand.optional(),
    /** notify: called on every change with TYPE NAME STATE PRIORITY. */
    any: scriptCommand.optional(),
}).strict();

export const vrrpSchema = z.object({
    /** virtual_router_id: unique per L2 segment. */
    virtualRouterId: routerId,
    /** advert_int, seconds. */
    advertInt: whole.min(1).max(255).default(1),
    priorities: z.object({ primary: priority, secondary: priority })
        .default({ ...DEFAULT_PRIORITIES })
        .refine((p) => p.primary !== p.secondary, { message: "must differ: equal priorities make the election depend on addresses" }),
    /** Both nodes start as BACKUP and a recovered node does not take the VIPs back. */
    nopreempt: z.boolean().default(false),
    /** preempt_delay, seconds. */
    preemptDelay: seconds.max(1000).optional(),
    /** Unicast adverts between the directors (clouds drop multicast); the peers' addresses are read from the hosts. */
    unicast: z.boolean().default(false),
    /**
     * Unicast addresses per director and NIC, used instead of those read from the hosts (a NIC with several
     * addresses, or only link-local IPv6 ones): at most one per address family and NIC.
     */
    unicastAddresses: z.object({
        primary: z.record(interfaceName, z.array(ipAddress).min(1)),
        secondary: z.record(interfaceName, z.array(ipAddress).min(1)),
    }).strict().optional(),
    /** PASS (auth_pass, 8 characters) or HMAC (an auth_hmac block, keepalived 2.4+, checked on the hosts). */
    authType: z.enum(valuesOf(AuthType)).default("PASS"),
    /** track_interface: a listed NIC going down puts the instance in FAULT. */
    trackInterfaces: z.array(interfaceName).default([]),
    /** vrrp_script + track_script. */
    trackScripts: z.array(trackScriptSchema).default([]),
    /** notify_master / notify_backup / notify_fault / notify_stop / notify. */
    notify: notifySchema.default({}),
    /** smtp_alert on the sync group (several instances) or the one instance; keepalived's default: no. Needs emailAlerts. */
    smtpAlert: z.boolean().optional(),
    /** The name of the IPv4 VRRP instance on `interface`. Defaults to VI_<interface>_<virtualRouterId>. */
    instanceName: keepalivedName.optional(),
    /** The name of the IPv6 VRRP instance on `interface`. Defaults to VI_<interface>_<virtualRouterId>_v6. */
    instanceNameV6: keepalivedName.optional(),
    /** The name of the sync group (a pair with several instances). Defaults to VG_<interface>_<virtualRouterId>. */
    syncGroupName: keepalivedName.optional(),
}).strict().superRefine((v, ctx) => {
    if (v.nopreempt && v.preemptDelay !== undefined) addRule(ctx, ["preemptDelay"], "cannot be combined with nopreempt: a node that never preempts has no delay");
    if (v.unicastAddresses) {
        if (!v.unicast) addRule(ctx, ["unicastAddresses"], "needs unicast: true (the addresses are only used for unicast adverts)");
        const { primary, secondary } = v.unicastAddresses;
        for (const [role, byNic] of [["primary", primary], ["secondary", secondary]] as const) {
            for (const [nic, addrs] of Object.entries(byNic)) {
                const seen = new Set<number>();
                addrs.forEach((a, i) => {
                    if (!isIp(a)) return;
                    if (seen.has(family(a))) addRule(ctx, ["unicastAddresses", role, nic, i], `is a second IPv${family(a)} address for ${nic}: give at most one per address family`);
                    seen.add(family(a));
                    const same = role === "secondary" ? (primary[nic] ?? []).indexOf(a) : -1;
                    if (same >= 0) addRule(ctx, ["unicastAddresses", role, nic, i], "is also the primary's address: the directors need addresses of their own", [["unicastAddresses", "primary", nic, same]]);
                });
            }
        }
    }
    const names = new Map<string, number>();
    v.trackScripts.forEach((s, i) => {
        const first = names.get(s.name);
        if (first !== undefined) addRule(ctx, ["trackScripts", i, "name"], `duplicates trackScripts[${first}]`, [["trackScripts", first, "name"]]);
        else names.set(s.name, i);
    });
});

/** The inside NIC of a NAT pair: its VIP is the real servers' gateway and fails over with the outside VIPs. */
export const insideSchema = z.object({
    interface: interfaceName,
    vips: z.array(ipWithPrefix).min(1),
    /** Defaults to the pair's virtualRouterId (a different NIC is a different segment). */
    virtualRouterId: routerId.optional(),
    /** Source networks (the real servers') masqueraded when they open connections to the outside. */
    masquerade: z.array(ipWithPrefix).default([]),
    /** The name of the inside IPv4 VRRP instance. Defaults to VI_<interface>_<virtualRouterId>. */
    instanceName: keepalivedName.optional(),
    /** The name of the inside IPv6 VRRP instance. Defaults to VI_<interface>_<virtualRouterId>_v6. */
    instanceNameV6: keepalivedName.optional(),
}).strict();

/**
 * NAT on one NIC: the real servers share `interface`'s segment and a VIP of `vips` is their default gateway.
 * Their replies come in and leave on the same NIC, so the directors send no ICMP redirects (a redirect
 * would send the next replies around the director, with the real server's own address).
 */
export const oneNicNatSchema = z.object({
    /**
     * The real servers' addresses (or networks) whose own connections to elsewhere leave through the
     * directors with `sourceVip` as their source (SNAT), not the director's own address.
     */
    snat: z.array(ipWithPrefix).default([]),
    /** The VIP those connections leave from. Defaults to the first VIP of each address family. */
    sourceVip: ipAddress.optional(),
}).strict();

/** lvs_sync_daemon: the master sends its connection table to the backup, so failover keeps connections. */
export const syncDaemonSchema = z.object({
    /** The NIC the sync multicast runs on (often a dedicated link). */
    interface: interfaceName,
    /** syncid 0-255, to tell pairs on one link apart. */
    syncId: whole.min(0).max(255).default(0),
}).strict();

const sysctlKey = z.string().regex(/^[a-z0-9_]+(\.[A-Za-z0-9_-]+)+$/, { message: "must be a sysctl key like net.ipv4.ip_forward" });
const sysctlValue = z.union([z.number(), z.string().regex(/^[^\n\r]*$/)]);

export const directorPairSchema = z.object({
    /** The NIC that carries the VIPs and VRRP adverts. */
    interface: interfaceName,
    /** The VIPs (virtual_ipaddress), with an optional prefix; /32 or /128 when omitted. IPv4 and IPv6 may mix. */
    vips: z.array(ipWithPrefix).min(1),
    /** The VRRP instances of a pair; absent on one director, which holds its VIPs itself (render/directorVipUnit.ts). */
    vrrp: vrrpSchema.optional(),
    /** NAT: the inside NIC and its VIPs. Turns on ip_forward. */
    inside: insideSchema.optional(),
    /** NAT with the real servers on `interface`'s own segment, their gateway a VIP (see oneNicNatSchema). */
    oneNicNat: oneNicNatSchema.optional(),
    lvsSyncDaemon: syncDaemonSchema.optional(),
    /** Extra sysctls on both directors (and overrides of the defaults). */
    sysctls: z.record(sysctlKey, sysctlValue).default({}),
    /** keepalived's e-mail alerts (global_defs notification_email, smtp_server, ...). */
    emailAlerts: emailAlertsSchema.optional(),
    /** router_id and the VRRP tunables of global_defs. */
    globalDefs: globalDefsSchema.prefault({}),
    /**
     * Opens what the directors must receive through a default-deny INPUT policy, in chains of the pair's
     * own: VRRP, the sync daemon and answers to their own connections (each VirtualService opens its VIP's port).
     */
    firewall: z.boolean().default(false),
}).strict().superRefine((pair, ctx) => {
    /** Each VIP address: where it is first given, as text and as a path. */
    const seen = new Map<string, { where: string; path: Path }>();
    const check = (list: string[], field: string) => list.forEach((vip, i) => {
        const addr = vip.split("/")[0]!;
        const path = [...field.split("."), i];
        const first = seen.get(addr);
        if (first) addRule(ctx, path, `is the same address as ${first.where}`, [first.path]);
        else seen.set(addr, { where: `${field}[${i}]`, path });
    });
    check(pair.vips, "vips");
    if (pair.inside) check(pair.inside.vips, "inside.vips");
    const families = new Set(pair.vips.map(family));
    const grouped = pair.inside !== undefined || families.size > 1;
    pair.vrrp?.trackScripts.forEach((t, i) => {
        if (grouped && t.weight !== 0) {
            addRule(ctx, ["vrrp", "trackScripts", i, "weight"], "must be 0 when the pair has several VRRP instances (inside NIC or IPv4 + IPv6): keepalived ignores script weights in a sync group; a failing script then puts the whole group in FAULT");
        }
    });
    const nics = [pair.interface, ...(pair.inside ? [pair.inside.interface] : [])];
    const showNics = (s: Secrets) => [s.show(["interface"], pair.interface), ...(pair.inside ? [s.show(["inside", "interface"], pair.inside.interface)] : [])].join(", ");
    for (const role of ["primary", "secondary"] as const) {
        for (const [nic, addrs] of Object.entries(pair.vrrp?.unicastAddresses?.[role] ?? {})) {
            if (!nics.includes(nic)) addRule(ctx, ["vrrp", "unicastAddresses", role, nic], (s) => `is not a VRRP NIC of this pair (${showNics(s)})`);
            addrs.forEach((a, i) => {
                const vip = seen.get(a);
                if (vip) addRule(ctx, ["vrrp", "unicastAddresses", role, nic, i], `is a VIP of this pair (${vip.where}): adverts from a VIP come from whichever director holds it; give the director's own address`, [vip.path]);
            });
        }
    }
    if (pair.vrrp) checkNames({ ...pair, vrrp: pair.vrrp }, ctx);
    if (pair.vrrp?.smtpAlert === true && !pair.emailAlerts) addRule(ctx, ["vrrp", "smtpAlert"], "needs emailAlerts: keepalived sends no mail without notification_email and smtp_server");
    if (pair.vrrp && pair.globalDefs.vrrpStrict && pair.globalDefs.vrrpStrictAcknowledged) checkStrict({ ...pair, vrrp: pair.vrrp }, ctx);
    if (pair.oneNicNat) checkOneNicNat(pair as DirectorPairModel, ctx);
    const id = pair.vrrp?.virtualRouterId;
    if (id !== undefined && pair.inside && pair.inside.interface === pair.interface && (pair.inside.virtualRouterId ?? id) === id) {
        addRule(ctx, ["inside", "virtualRouterId"], (s) => `must differ from vrrp.virtualRouterId ${s.show(["vrrp", "virtualRouterId"], id)} when the inside NIC is the same NIC (${s.show([["interface"], ["inside", "interface"]], pair.interface)})`);
    }
});
export type DirectorPairModel = z.output<typeof directorPairSchema>;

function checkOneNicNat(pair: DirectorPairModel, ctx: z.RefinementCtx): void {
    const nat = pair.oneNicNat!;
    if (pair.inside) addRule(ctx, ["oneNicNat"], "cannot be combined with inside: the real servers are either behind an inside NIC or on the VIPs' own segment");
    const hosts = pair.vips.map((v) => v.split("/")[0]!);
    if (nat.sourceVip !== undefined && !hosts.includes(nat.sourceVip)) addRule(ctx, ["oneNicNat", "sourceVip"], "is not one of vips: the real servers' connections can only leave from an address the pair holds");
    nat.snat.forEach((net, i) => {
        const fam = family(net);
        if (nat.sourceVip !== undefined ? family(nat.sourceVip) !== fam : !hosts.some((h) => family(h) === fam)) {
            addRule(ctx, ["oneNicNat", "snat", i], `is IPv${fam}, and the pair has no IPv${fam} VIP${nat.sourceVip !== undefined ? " as sourceVip" : ""} to SNAT it to`);
        }
    });
}

/** The VIP a one-NIC NAT pair SNATs `source`'s own connections to. */
export function snatVip(pair: DirectorPairModel, source: string): string {
    return pair.oneNicNat?.sourceVip ?? pair.vips.map((v) => v.split("/")[0]!).find((v) => family(v) === family(source))!;
}

type PairInput = Omit<DirectorPairModel, "emailAlerts" | "globalDefs" | "vrrp"> & { globalDefs: z.output<typeof globalDefsSchema>; vrrp: z.output<typeof vrrpSchema> };

/** A director pair's model with its VRRP: every pair but one director (LvsDirectorPair without `secondary`). */
export type VrrpPairModel = DirectorPairModel & { vrrp: z.output<typeof vrrpSchema> };

/**
 * A name given for a VRRP instance the pair does not have is an error (nothing would carry it), and so is
 * a sync-group name without a sync group. The instances' names, given or derived, must differ.
 */
function checkNames(pair: PairInput, ctx: z.RefinementCtx): void {
    type Slot = { path: Array<string | number>; name: string | undefined; nicPath: Path; idPath: Path; nic: string; id: number; vips: string[]; fam: 4 | 6 };
    const slots: Slot[] = ([4, 6] as const).map((fam) => ({
        path: ["vrrp", fam === 4 ? "instanceName" : "instanceNameV6"], name: fam === 4 ? pair.vrrp.instanceName : pair.vrrp.instanceNameV6,
        nicPath: ["interface"], idPath: ["vrrp", "virtualRouterId"], nic: pair.interface, id: pair.vrrp.virtualRouterId, vips: pair.vips, fam,
    }));
    if (pair.inside) {
        const inside = pair.inside;
        const idPath = inside.virtualRouterId !== undefined ? ["inside", "virtualRouterId"] : ["vrrp", "virtualRouterId"];
        for (const fam of [4, 6] as const) {
            slots.push({ path: ["inside", fam === 4 ? "instanceName" : "instanceNameV6"], name: fam === 4 ? inside.instanceName : inside.instanceNameV6,
                nicPath: ["inside", "interface"], idPath, nic: inside.interface, id: inside.virtualRouterId ?? pair.vrrp.virtualRouterId, vips: inside.vips, fam });
        }
    }
    const taken = new Map<string, Slot>();
    let instances = 0;
    for (const s of slots) {
        const exists = s.vips.some((v) => isIp(v.split("/")[0]) && family(v) === s.fam);
        const list = s.path[0] === "inside" ? "inside.vips" : "vips";
        if (!exists) {
            if (s.name !== undefined) addRule(ctx, s.path, `names no instance: ${list} has no IPv${s.fam} address`);
            continue;
        }
        instances++;
        const name = s.name ?? `VI_${s.nic.replace(/[^A-Za-z0-9_]/g, "_")}_${s.id}${s.fam === 6 ? "_v6" : ""}`;
        const other = taken.get(name);
        if (!other) {
            taken.set(name, s);
            continue;
        }
        // Two derived names clash only on the same NIC and router id, which inside.virtualRouterId's rule names.
        if (s.name === undefined && other.name === undefined) continue;
        const [at, derived] = s.name !== undefined ? [s, other] : [other, s];
        const how = derived.name === undefined ? (sec: Secrets) => ` (derived: ${sec.show([derived.nicPath, derived.idPath], name)})` : () => ` (${derived.path.join(".")})`;
        addRule(ctx, at.path, (sec) => `is also the name of another VRRP instance of this pair${how(sec)}: give each its own`, derived.name !== undefined ? [derived.path] : []);
    }
    if (pair.vrrp.syncGroupName !== undefined && instances < 2) {
        addRule(ctx, ["vrrp", "syncGroupName"], "names no sync group: the pair has one VRRP instance (a sync group comes with an inside NIC or IPv4 + IPv6 VIPs)");
    }
}

/**
 * vrrp_strict, acknowledged: what keepalived then refuses (keepalived -t fails) is refused here, naming the
 * field. Read in keepalived 2.2.7's vrrp.c (and 2.4.3's for auth_hmac); pulumi-lvs itself drops the
 * password authentication and starts both directors as BACKUP (MASTER needs priority 255 in strict mode).
 */
function checkStrict(pair: PairInput, ctx: z.RefinementCtx): void {
    const strict = "under globalDefs.vrrpStrict";
    if (pair.vrrp.unicast) addRule(ctx, ["vrrp", "unicast"], `must be false ${strict}: keepalived refuses unicast peers in strict mode`);
    if (pair.vrrp.preemptDelay !== undefined) addRule(ctx, ["vrrp", "preemptDelay"], `cannot be used ${strict}: keepalived ignores preempt_delay in strict mode`);
    if (pair.vrrp.authType === "HMAC") addRule(ctx, ["vrrp", "authType"], `must be PASS ${strict}: keepalived 2.4 needs auth_hmac mode enforce in strict mode, which pulumi-lvs does not write (PASS is dropped: strict mode has no password authentication)`);
    for (const [list, vips] of [["vips", pair.vips], ["inside.vips", pair.inside?.vips ?? []]] as const) {
        const i = vips.findIndex((v) => family(v) === 6);
        if (i >= 0 && !/^fe[89ab][0-9a-f]:/i.test(vips[i]!)) {
            addRule(ctx, [...list.split("."), i], `must be a link-local address (fe80::/10) ${strict}: keepalived requires the first IPv6 VIP of an instance to be link-local in strict mode`);
        }
    }
}

/** keepalived uses only the first 8 characters of auth_pass, silently: longer passwords are rejected. */
export const authPassSchema = z.string()
    .min(1)
    .max(8, { message: "must be at most 8 characters: keepalived silently uses only the first 8" })
    .regex(/^[A-Za-z0-9._~+=:@%^*,\/-]*$/, { message: "may contain only letters, digits and ._~+=:@%^*,/-" });

/**
 * The auth_hmac key (`key 1 <value>`): 32-64 characters as keepalived 2.4 requires, the same character set
 * (it lands in a keepalived definition), and not starting with keepalived's "hex:" or "file:", which would
 * make it hex bytes or the name of a file to read the key from.
 */
export const authHmacKeySchema = z.string()
    .min(32, { message: "must be at least 32 characters (keepalived's minimum for auth_hmac)" })
    .max(64)
    .regex(/^[A-Za-z0-9._~+=:@%^*,\/-]*$/, { message: "may contain only letters, digits and ._~+=:@%^*,/-" })
    .refine((k) => !/^(hex|file):/.test(k), { message: 'must not start with "hex:" or "file:" (keepalived would read hex bytes or a file)' });

/** Every VIP address of the pair (outside and inside), without prefix: never a director's own address. */
export function pairVipAddresses(pair: Pick<DirectorPairModel, "vips" | "inside">): string[] {
    return [...pair.vips, ...(pair.inside?.vips ?? [])].map((v) => v.split("/")[0]!);
}
