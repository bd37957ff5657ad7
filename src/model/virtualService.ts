// VirtualService: one IPVS service (VIP:port or fwmark) and its real servers, as keepalived config.
import { z } from "zod";
import { SchedulerFlag } from "./names";
import { healthCheckSchema, tcpCheckSchema, udpCheckSchema, type HealthCheck } from "./healthCheck";
import { addRule, type Path, type RuleText, type Secrets } from "./secrets";
import { decimalSeconds, family, FORWARDING_MODES, ipAddress, isIp, isIpv4, port, PROTOCOLS, scheduler, seconds, valuesOf, weight, type Protocol } from "./primitives";

export { SchedulerFlag } from "./names";

export { healthCheckSchema, type HealthCheck } from "./healthCheck";

/**
 * The check of a service that names none, per protocol: a TCP connect for TCP; for UDP a UDP_CHECK, which
 * fails only on an ICMP port unreachable (a TCP check would fail against a UDP-only server and take every
 * server out). keepalived has no SCTP check, so an SCTP service must name one (see the rule below).
 */
export const DEFAULT_CHECKS = {
    TCP: tcpCheckSchema.parse({ type: "TCP" }),
    UDP: udpCheckSchema.parse({ type: "UDP" }),
} as const satisfies Partial<Record<Protocol, HealthCheck>>;

const count = z.number().int({ message: "must be a whole number" }).min(0).max(65535);

export const realServerEntrySchema = z.object({
    address: ipAddress,
    /** Defaults to the VIP port; in DR and TUN mode it must equal it. */
    port: port.optional(),
    /** IPVS weight; 0 quiesces the server (no new connections, existing ones stay). */
    weight: weight.default(1),
    /** Drain: weight 0 on the hosts whatever `weight` says, so the weight survives the drain. */
    drain: z.boolean().default(false),
    /** Overrides the service's healthCheck for this server. */
    healthCheck: healthCheckSchema.optional(),
    /** inhibit_on_failure for this server (the service's inhibitOnFailure when unset). */
    inhibitOnFailure: z.boolean().optional(),
    /** uthreshold: at most this many connections (0 = no limit). */
    upperThreshold: count.optional(),
    /** lthreshold: takes connections again below this many. */
    lowerThreshold: count.optional(),
}).strict().superRefine((rs, ctx) => {
    if (rs.lowerThreshold !== undefined && rs.upperThreshold === undefined) {
        addRule(ctx, ["lowerThreshold"], "needs upperThreshold: a lower threshold only applies below an upper one");
    }
    if (rs.lowerThreshold !== undefined && rs.upperThreshold !== undefined && rs.lowerThreshold >= rs.upperThreshold) {
        const upper = rs.upperThreshold;
        addRule(ctx, ["lowerThreshold"], (s) => `must be below upperThreshold ${s.show(["upperThreshold"], upper)}`);
    }
});

/** A firewall mark service: the directors mark matching packets and IPVS balances by the mark. */
export const fwmarkSchema = z.object({
    /** The mark, 1-2147483647. */
    mark: z.number().int({ message: "must be a whole number" }).min(1).max(2147483647),
    /** Packets to this address... */
    vip: ipAddress,
    /** ...and these destination ports get the mark (ignored for protocol-less marks). */
    ports: z.array(port).min(1),
}).strict();

export const virtualServiceSchema = z.object({
    /** VIP and port, or fwmark: one of the two forms. */
    vip: ipAddress.optional(),
    port: port.optional(),
    fwmark: fwmarkSchema.optional(),
    protocol: z.enum(PROTOCOLS).default("TCP"),
    scheduler: scheduler.default("wlc"),
    /** sh-fallback / sh-port (scheduler sh), mh-fallback / mh-port (scheduler mh). */
    schedulerFlags: z.array(z.enum(valuesOf(SchedulerFlag))).default([]),
    mode: z.enum(FORWARDING_MODES).default("DR"),
    /** persistence_timeout, seconds: a client sticks to one real server this long. */
    persistenceTimeout: seconds.max(2678400).optional(),
    /** persistence_granularity: clients in the same network of this prefix length stick together. */
    persistenceGranularity: z.number().int({ message: "must be a whole number" }).min(1).max(128).optional(),
    /** One-packet scheduling (UDP only): every datagram is scheduled on its own. */
    ops: z.boolean().default(false),
    /** delay_loop, seconds between health checks (fractions allowed, as keepalived reads it). */
    delayLoop: decimalSeconds(0.000001, 3600).default(6),
    /** Defaults by protocol (see DEFAULT_CHECKS); SCTP has none. */
    healthCheck: healthCheckSchema.optional(),
    /** sorry_server: takes the traffic when no real server is up (or quorum is lost). */
    sorryServer: z.object({ address: ipAddress, port: port.optional() }).strict().optional(),
    /** quorum: minimum sum of the weights of healthy servers; below it, the sorry server serves. */
    quorum: z.number().int({ message: "must be a whole number" }).min(1).max(65535 * 256).optional(),
    /** hysteresis around quorum, to avoid flapping. */
    hysteresis: z.number().int({ message: "must be a whole number" }).min(0).max(65535).optional(),
    /** inhibit_on_failure: a failed server gets weight 0 instead of being removed (keeps its connections). */
    inhibitOnFailure: z.boolean().default(false),
    realServers: z.array(realServerEntrySchema),
}).strict().superRefine((svc, ctx) => {
    const issue = (path: (string | number)[], rule: string | RuleText, reveals?: Path[]) => addRule(ctx, path, rule, reveals);
    const hasVipPort = svc.vip !== undefined || svc.port !== undefined;
    if (svc.fwmark && hasVipPort) issue(["fwmark"], "must not be combined with vip/port: a service is either VIP:port or fwmark");
    if (!svc.fwmark) {
        if (svc.vip === undefined) issue(["vip"], "is required (or give fwmark)");
        if (svc.port === undefined) issue(["port"], "is required (or give fwmark)");
    }
    const vip = svc.vip ?? svc.fwmark?.vip;
    const vipPath = svc.vip !== undefined ? ["vip"] : ["fwmark", "vip"];
    /** "must be IPv4 like the VIP 10.0.0.10", without the VIP's family either when the VIP is secret. */
    const likeTheVip = (s: Secrets) => (s.has(vipPath) ? "must be the same address family as the VIP [secret]" : `must be IPv${family(vip!)} like the VIP ${vip}`);
    const servicePort = svc.port ?? svc.fwmark?.ports[0];
    if (svc.healthCheck === undefined && svc.protocol === "SCTP") {
        // A probe of one's own (MISC) is given per real server: keepalived passes it no server address.
        const unchecked = svc.realServers.flatMap((rs, i) => (rs.healthCheck === undefined ? [i] : []));
        if (unchecked.length === svc.realServers.length) {
            issue(["healthCheck"], 'is required with protocol SCTP (on the service, or on every real server): keepalived has no SCTP check, and a TCP check fails against SCTP-only servers; give "PING", "MISC" (an SCTP probe of your own) or "TCP" (when the servers also listen on TCP)');
        } else {
            for (const i of unchecked) issue(["realServers", i, "healthCheck"], "is required with protocol SCTP when the service names no healthCheck: keepalived has no SCTP check to fall back on");
        }
    }

    for (const flag of svc.schedulerFlags) {
        if (!flag.startsWith(`${svc.scheduler}-`)) issue(["schedulerFlags"], (s) => `has ${s.show(["schedulerFlags"], flag)}, which applies only to scheduler ${s.show(["schedulerFlags"], flag.split("-")[0])}, not ${s.show(["scheduler"], svc.scheduler)}`);
    }
    if (svc.ops && svc.protocol !== "UDP") issue(["ops"], (s) => `needs protocol UDP (one-packet scheduling), not ${s.show(["protocol"], svc.protocol)}`);
    if (svc.persistenceGranularity !== undefined) {
        if (svc.persistenceTimeout === undefined) issue(["persistenceGranularity"], "needs persistenceTimeout: granularity only applies to persistent services");
        if (vip && isIp(vip) && isIpv4(vip) && svc.persistenceGranularity > 32) issue(["persistenceGranularity"], "must be at most 32 for an IPv4 service");
    }
    if (svc.hysteresis !== undefined && svc.quorum === undefined) issue(["hysteresis"], "needs quorum");
    if (svc.realServers.length === 0 && svc.quorum === undefined && !svc.sorryServer) {
        issue(["realServers"], "must not be empty without a sorryServer: keepalived ignores a virtual_server that has no real servers (and rejects its file). To stop new connections and keep the open ones, drain the servers (drain: true, or weight 0); to send new connections elsewhere, give a sorryServer; to stop the service, remove the VirtualService");
    }
    if (svc.quorum !== undefined) {
        const total = svc.realServers.reduce((sum, rs) => sum + (rs.drain ? 0 : rs.weight), 0);
        const quorum = svc.quorum;
        if (svc.realServers.length === 0) issue(["realServers"], (s) => `must not be empty when quorum ${s.show(["quorum"], quorum)} is set: the quorum could never be reached`);
        else if (total < quorum) issue(["quorum"], (s) => `can never be reached: the real servers' weights add up to ${s.show(["realServers"], total)}`);
        if (svc.hysteresis !== undefined && svc.hysteresis >= quorum) issue(["hysteresis"], (s) => `must be below quorum ${s.show(["quorum"], quorum)}`);
    }
    if (svc.sorryServer && vip && isIp(vip) && isIp(svc.sorryServer.address) && family(vip) !== family(svc.sorryServer.address)) {
        issue(["sorryServer", "address"], likeTheVip);
    }

    const seen = new Map<string, number>();
    svc.realServers.forEach((rs, i) => {
        const rsPort = rs.port ?? servicePort;
        if ((svc.mode === "DR" || svc.mode === "TUN") && rs.port !== undefined && !svc.fwmark && rs.port !== svc.port) {
            issue(["realServers", i, "port"], (s) => `must equal the VIP port ${s.show(["port"], svc.port)} in ${s.show(["mode"], svc.mode)} mode`);
        }
        if (isIp(rs.address) && vip && isIp(vip) && family(rs.address) !== family(vip)) {
            issue(["realServers", i, "address"], likeTheVip);
        }
        if (rs.address === vip) issue(["realServers", i, "address"], "must not be the VIP itself", [vipPath]);
        const key = `${rs.address}:${rsPort}`;
        const first = seen.get(key);
        if (first !== undefined) issue(["realServers", i], (s) => `duplicates realServers[${first}] (${s.show([["realServers", i], ["realServers", first], ["port"], ["fwmark"]], key)})`, [["realServers", first]]);
        else seen.set(key, i);
    });
    // An SCTP service without a check has one on every real server (the rule above): it keeps none of its own.
}).transform((svc) => ({ ...svc, healthCheck: svc.healthCheck ?? (svc.protocol === "SCTP" ? undefined : DEFAULT_CHECKS[svc.protocol]) }));
export type VirtualServiceModel = z.output<typeof virtualServiceSchema>;
export type RealServerEntry = VirtualServiceModel["realServers"][number];
