// RealServer: a backend host prepared for its forwarding mode.
import { z } from "zod";
import { ipAddress } from "./primitives";

export const realServerSchema = z.object({
    mode: z.literal("DR", { message: 'must be "DR" (NAT and TUN are not supported yet)' }),
    /** The VIPs this server answers for (on lo as /32 or /128 in DR mode). */
    vips: z.array(ipAddress).min(1),
}).strict().superRefine((rs, ctx) => {
    const seen = new Map<string, number>();
    rs.vips.forEach((vip, i) => {
        if (seen.has(vip)) ctx.addIssue({ code: "custom", path: ["vips", i], message: `duplicates vips[${seen.get(vip)}]` });
        seen.set(vip, i);
    });
});
export type RealServerModel = z.output<typeof realServerSchema>;
