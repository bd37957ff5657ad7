// keepalived's global_defs beyond what pulumi-lvs sets itself: e-mail alerts (notification_email,
// smtp_server, ...), the names people monitor (router_id), and the VRRP tunables of the usual sample config.
import { z } from "zod";
import { addRule } from "./secrets";
import { canonicalIp, isIp, port } from "./primitives";

/**
 * A name keepalived shows and people key monitoring on (router_id, VRRP instance and sync-group names):
 * one keepalived word, so no spaces, quotes, '#', '!', '$' or braces.
 */
export const keepalivedName = z.string().regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$/, {
    message: "must be 1-64 letters, digits, '_', '.' or '-', starting with a letter, digit or '_'",
});

const HOST_LABEL = "[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?";
const HOST_NAME = new RegExp(`^${HOST_LABEL}(?:\\.${HOST_LABEL})*$`);

/**
 * An address keepalived writes into `MAIL FROM:<...>`, `RCPT TO:<...>` and the headers as it is: a plain
 * local@domain, without a display name, quotes or comments (keepalived's config could not carry them).
 */
export const emailAddress = z.string().max(254).refine((s) => {
    const at = s.lastIndexOf("@");
    return at > 0 && /^[A-Za-z0-9._%+-]{1,64}$/.test(s.slice(0, at)) && HOST_NAME.test(s.slice(at + 1));
}, { message: "must be an e-mail address like ops@example.com (letters, digits and ._%+- before the @, a host name after it)" });

/** The SMTP relay: an IP address, or a host name the directors resolve whenever keepalived loads its config. */
export const smtpServerSchema = z.object({
    host: z.string().refine((s) => (s.length <= 253 && HOST_NAME.test(s)) || isIp(s), { message: "must be an IP address or a host name" })
        .transform((s) => (isIp(s) ? canonicalIp(s) : s)),
    /** Defaults to keepalived's 25. */
    port: port.optional(),
}).strict();

/** keepalived's e-mail alerts: to whom, from whom, through which relay. keepalived has no SMTP authentication. */
export const emailAlertsSchema = z.object({
    /** notification_email: the recipients. */
    to: z.array(emailAddress).min(1),
    /** notification_email_from. keepalived's default: <user>@<the director's host name>. */
    from: emailAddress.optional(),
    /** smtp_server HOST [PORT]. */
    smtpServer: smtpServerSchema,
    /** smtp_connect_timeout, whole seconds. keepalived's default: 30. */
    smtpConnectTimeout: z.number().int({ message: "must be a whole number of seconds" }).min(1).max(3600).optional(),
}).strict().superRefine((e, ctx) => {
    const seen = new Map<string, number>();
    e.to.forEach((a, i) => {
        const first = seen.get(a.toLowerCase());
        if (first !== undefined) addRule(ctx, ["to", i], `duplicates to[${first}]`, [["to", first]]);
        else seen.set(a.toLowerCase(), i);
    });
});

/** vrrp_garp_interval / vrrp_gna_interval: keepalived reads 0.000001-4294.967295 seconds, and rejects 0. */
const advertInterval = z.number()
    .refine((v) => v !== 0, { message: "must not be 0: keepalived rejects 0 (the value of its sample config); leave the field out for keepalived's default, no delay", abort: true })
    .min(0.000001, { message: "must be at least 0.000001 (seconds)" })
    .max(4294.967295, { message: "must be at most 4294.967295 (seconds)" })
    .refine((v) => Number(v.toFixed(6)) === v, { message: "must have at most 6 decimal places: keepalived counts in microseconds" });

/** Why vrrp_strict is refused unless acknowledged: what it does to a pulumi-lvs pair. */
export const VRRP_STRICT_REFUSAL = "is refused: vrrp_strict makes keepalived add DROP rules (nftables or iptables) for the VIPs on the master of every instance that is not the address owner (priority 255, which a pair never is), so traffic to the VIPs, the virtual services, never reaches IPVS; it also refuses unicast peers and VRRP authentication. Set globalDefs.vrrpStrictAcknowledged: true as well to have it all the same";

export const globalDefsSchema = z.object({
    /** router_id of each director, shown in keepalived's logs and e-mail subjects. Defaults to "<pair>-primary" / "<pair>-secondary". */
    routerIds: z.object({ primary: keepalivedName.optional(), secondary: keepalivedName.optional() }).strict().default({}),
    /** vrrp_garp_interval: seconds between gratuitous ARPs (fractions allowed). keepalived's default: no delay. */
    vrrpGarpInterval: advertInterval.optional(),
    /** vrrp_gna_interval: seconds between unsolicited neighbour adverts (IPv6). keepalived's default: no delay. */
    vrrpGnaInterval: advertInterval.optional(),
    /** vrrp_skip_check_adv_addr: skip checking the addresses of an advert from the same master as the last one. */
    vrrpSkipCheckAdvAddr: z.boolean().default(false),
    /** vrrp_strict: refused unless vrrpStrictAcknowledged (see VRRP_STRICT_REFUSAL). */
    vrrpStrict: z.boolean().default(false),
    /** The acknowledgement that vrrp_strict drops traffic to the VIPs. */
    vrrpStrictAcknowledged: z.boolean().default(false),
}).strict().superRefine((g, ctx) => {
    if (g.vrrpStrict && !g.vrrpStrictAcknowledged) addRule(ctx, ["vrrpStrict"], VRRP_STRICT_REFUSAL);
    if (g.vrrpStrictAcknowledged && !g.vrrpStrict) addRule(ctx, ["vrrpStrictAcknowledged"], "applies only with vrrpStrict: true");
    const { primary, secondary } = g.routerIds;
    if (primary !== undefined && primary === secondary) {
        addRule(ctx, ["routerIds", "secondary"], "must differ from routerIds.primary: keepalived's logs and e-mail subjects name the director by it", [["routerIds", "primary"]]);
    }
});
export type GlobalDefsModel = z.output<typeof globalDefsSchema>;
export type EmailAlertsModel = z.output<typeof emailAlertsSchema>;
