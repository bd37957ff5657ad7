// RealServer: a backend host prepared for its forwarding mode.
import { z } from "zod";
import { ipAddress, port, PROTOCOLS } from "./primitives";
import { addRule } from "./secrets";

const vips = z.array(ipAddress).min(1).superRefine((list, ctx) => {
    const seen = new Map<string, number>();
    list.forEach((vip, i) => {
        const first = seen.get(vip);
        if (first !== undefined) addRule(ctx, [i], `duplicates vips[${first}]`, [[first]]);
        else seen.set(vip, i);
    });
});

/** Ports a default-deny INPUT policy must let in: those of its services and of their health checks. */
export const realServerFirewallSchema = z.object({
    ports: z.array(z.object({ port, protocol: z.enum(PROTOCOLS).default("TCP") }).strict()).min(1),
}).strict();

export const realServerSchema = z.discriminatedUnion("mode", [
    /** DR: the VIPs on lo, ARP for them suppressed. */
    z.object({ mode: z.literal("DR"), vips, firewall: realServerFirewallSchema.optional() }).strict(),
    /** TUN: ipip tunl0 up with the VIPs, rp_filter relaxed so decapsulated packets are accepted. */
    z.object({ mode: z.literal("TUN"), vips, firewall: realServerFirewallSchema.optional() }).strict(),
    /** NAT: the default route goes through the directors' inside VIP, so replies pass back through IPVS. */
    z.object({ mode: z.literal("NAT"), gateway: ipAddress, firewall: realServerFirewallSchema.optional() }).strict(),
], { error: (iss) => iss.code === "invalid_union" ? 'must be "DR", "TUN" or "NAT"' : undefined });
export type RealServerModel = z.output<typeof realServerSchema>;
