// LvsDirectorPair: two directors sharing VIPs through one keepalived VRRP instance.
import { z } from "zod";
import { family, interfaceName, ipWithPrefix, seconds } from "./primitives";

export const DEFAULT_PRIORITIES = { primary: 150, secondary: 100 } as const;

const priority = z.number().int({ message: "must be a whole number" }).min(1).max(254);

export const vrrpSchema = z.object({
    /** virtual_router_id: unique per L2 segment. */
    virtualRouterId: z.number().int({ message: "must be a whole number" }).min(1).max(255),
    /** advert_int, seconds. */
    advertInt: z.number().int({ message: "must be a whole number" }).min(1).max(255).default(1),
    priorities: z.object({ primary: priority, secondary: priority })
        .default({ ...DEFAULT_PRIORITIES })
        .refine((p) => p.primary !== p.secondary, { message: "must differ: equal priorities make the election depend on addresses" }),
    /** Both nodes start as BACKUP and a recovered node does not take the VIPs back. */
    nopreempt: z.boolean().default(false),
    /** preempt_delay, seconds. */
    preemptDelay: seconds.max(1000).optional(),
}).strict();

const sysctlKey = z.string().regex(/^[a-z0-9_]+(\.[A-Za-z0-9_-]+)+$/, { message: "must be a sysctl key like net.ipv4.ip_forward" });
const sysctlValue = z.union([z.number(), z.string().regex(/^[^\n\r]*$/)]);

export const directorPairSchema = z.object({
    /** The NIC that carries the VIPs and VRRP adverts. */
    interface: interfaceName,
    /** The VIPs (virtual_ipaddress), with an optional prefix; /32 or /128 when omitted. */
    vips: z.array(ipWithPrefix).min(1),
    vrrp: vrrpSchema,
    /** Extra sysctls on both directors (and overrides of the defaults). */
    sysctls: z.record(sysctlKey, sysctlValue).default({}),
}).strict().superRefine((pair, ctx) => {
    const seen = new Map<string, number>();
    const first = pair.vips[0] ? family(pair.vips[0]) : 4;
    pair.vips.forEach((vip, i) => {
        const addr = vip.split("/")[0]!;
        if (family(vip) !== first) {
            ctx.addIssue({ code: "custom", path: ["vips", i], message: `must be IPv${first} like vips[0]: keepalived cannot mix IPv4 and IPv6 VIPs in one vrrp_instance` });
        }
        if (seen.has(addr)) ctx.addIssue({ code: "custom", path: ["vips", i], message: `is the same address as vips[${seen.get(addr)}]` });
        seen.set(addr, i);
    });
});
export type DirectorPairModel = z.output<typeof directorPairSchema>;

/** keepalived uses only the first 8 characters of auth_pass, silently: longer passwords are rejected. */
export const authPassSchema = z.string()
    .min(1)
    .max(8, { message: "must be at most 8 characters: keepalived silently uses only the first 8" })
    .regex(/^[A-Za-z0-9._~+=:@%^*,\/-]*$/, { message: "may contain only letters, digits and ._~+=:@%^*,/-" });
