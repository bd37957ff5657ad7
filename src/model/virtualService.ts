// VirtualService: one IPVS service (VIP:port or fwmark) and its real servers, as keepalived config.
import { z } from "zod";
import { family, FORWARDING_MODES, ipAddress, isIp, port, PROTOCOLS, scheduler, seconds, weight } from "./primitives";

export const tcpCheckSchema = z.object({
    type: z.literal("TCP"),
    /** connect_port: defaults to the real server's port. */
    port: port.optional(),
    /** connect_timeout, seconds. */
    connectTimeout: seconds.max(3600).default(3),
    /** retry (nb_get_retry in old keepalived). */
    retry: z.number().int().min(0).max(100).default(3),
    /** delay_before_retry, seconds. */
    delayBeforeRetry: seconds.max(3600).default(1),
}).strict();
export const healthCheckSchema = tcpCheckSchema;
export type HealthCheck = z.output<typeof healthCheckSchema>;

export const realServerEntrySchema = z.object({
    address: ipAddress,
    /** Defaults to the VIP port; in DR and TUN mode it must equal it. */
    port: port.optional(),
    /** IPVS weight; 0 quiesces the server (no new connections). */
    weight: weight.default(1),
    /** Overrides the service's healthCheck for this server. */
    healthCheck: healthCheckSchema.optional(),
}).strict();

export const virtualServiceSchema = z.object({
    vip: ipAddress,
    port: port,
    protocol: z.enum(PROTOCOLS).default("TCP"),
    scheduler: scheduler.default("wlc"),
    mode: z.enum(FORWARDING_MODES).default("DR"),
    /** persistence_timeout, seconds: a client sticks to one real server this long. */
    persistenceTimeout: seconds.max(2678400).optional(),
    /** delay_loop, seconds between health checks. */
    delayLoop: seconds.max(3600).default(6),
    healthCheck: healthCheckSchema.default({ type: "TCP", connectTimeout: 3, retry: 3, delayBeforeRetry: 1 }),
    realServers: z.array(realServerEntrySchema).min(1),
}).strict().superRefine((svc, ctx) => {
    const seen = new Map<string, number>();
    svc.realServers.forEach((rs, i) => {
        const rsPort = rs.port ?? svc.port;
        if ((svc.mode === "DR" || svc.mode === "TUN") && rs.port !== undefined && rs.port !== svc.port) {
            ctx.addIssue({ code: "custom", path: ["realServers", i, "port"], message: `must equal the VIP port ${svc.port} in ${svc.mode} mode` });
        }
        if (isIp(rs.address) && isIp(svc.vip) && family(rs.address) !== family(svc.vip)) {
            ctx.addIssue({ code: "custom", path: ["realServers", i, "address"], message: `must be IPv${family(svc.vip)} like the VIP ${svc.vip}` });
        }
        const key = `${rs.address}:${rsPort}`;
        if (seen.has(key)) {
            ctx.addIssue({ code: "custom", path: ["realServers", i], message: `duplicates realServers[${seen.get(key)}] (${key})` });
        } else {
            seen.set(key, i);
        }
    });
});
export type VirtualServiceModel = z.output<typeof virtualServiceSchema>;
export type RealServerEntry = VirtualServiceModel["realServers"][number];
