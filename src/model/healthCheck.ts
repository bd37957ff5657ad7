// Health checks (keepalived checkers), one schema per kind, discriminated by `type`.
import { z } from "zod";
import { DnsQueryType } from "./names";
import { decimalSeconds, port, seconds, valuesOf } from "./primitives";

export { DnsQueryType, HealthCheckType } from "./names";

/** A value that lands inside a keepalived token: no whitespace, quote, comment sign or brace. */
export const keepalivedWord = (what: string) => z.string().regex(/^[^\s"'#!{}\\]{1,255}$/, {
    message: `must be ${what} without spaces, quotes, '#', '!', braces or backslashes`,
});

/** A command keepalived runs (misc_path, vrrp_script, notify): an absolute path and plain arguments. */
export const scriptCommand = z.string().regex(/^\/[^\s"'#!{}\\]*( [^\s"'#!{}\\]+)*$/, {
    message: "must be an absolute path, optionally followed by arguments, without quotes, '#', '!', braces, backslashes or repeated spaces",
}).max(1000);

/**
 * The options every check shares. Unset ones are not written: keepalived's own defaults apply (see
 * KEEPALIVED_CHECK_DEFAULTS), so a config ported from a hand-written file behaves as it did.
 */
const timing = {
    /** connect_timeout, seconds (fractions allowed). keepalived: 5. */
    connectTimeout: decimalSeconds(0.000001, 3600).optional(),
    /** retry: further attempts after a failed check before the server is taken out. keepalived: 1 (DNS 3, MISC 0). */
    retry: z.number().int({ message: "must be a whole number" }).min(0).max(100).optional(),
    /** delay_before_retry, seconds (fractions allowed, 0 allowed). keepalived: 1 (HTTP/HTTPS 3, DNS the delay_loop). */
    delayBeforeRetry: decimalSeconds(0, 3600).optional(),
    /** delay_loop of this checker, seconds (fractions allowed); the service's delayLoop when unset. */
    delayLoop: decimalSeconds(0.000001, 3600).optional(),
    /**
     * smtp_alert of the real server the check watches (keepalived has it on the real_server, not the
     * checker): mail when the check takes it out or puts it back. keepalived's default: yes, once the pair
     * has emailAlerts.
     */
    smtpAlert: z.boolean().optional(),
};

export const tcpCheckSchema = z.object({ type: z.literal("TCP"), port: port.optional(), ...timing }).strict();

const httpFields = {
    port: port.optional(),
    /** The URL path asked for. */
    path: z.string().regex(/^\/[^\s"'#!{}\\]*$/, { message: "must be an absolute URL path without spaces, quotes, '#', '!', braces or backslashes" }).default("/"),
    /** The status code that means healthy. */
    statusCode: z.number().int({ message: "must be a whole number" }).min(100).max(599).default(200),
    /** MD5 of the expected body (genhash), 32 hex digits. */
    digest: z.string().regex(/^[0-9a-f]{32}$/, { message: "must be an MD5 digest: 32 lowercase hex digits" }).optional(),
    /** The Host header (virtualhost). */
    virtualHost: z.string().regex(/^[A-Za-z0-9.-]{1,253}$/, { message: "must be a host name" }).optional(),
    ...timing,
};
export const httpCheckSchema = z.object({ type: z.literal("HTTP"), ...httpFields }).strict();
export const httpsCheckSchema = z.object({ type: z.literal("HTTPS"), ...httpFields }).strict();

export const miscCheckSchema = z.object({
    type: z.literal("MISC"),
    /** misc_path: exit 0 = healthy. With `dynamic`, exit 2-255 sets the weight to code-2. */
    command: scriptCommand,
    /** misc_timeout, seconds. */
    timeout: seconds.max(3600).optional(),
    /** misc_dynamic. */
    dynamic: z.boolean().default(false),
    ...timing,
}).strict();

export const dnsCheckSchema = z.object({
    type: z.literal("DNS"),
    port: port.optional(),
    queryType: z.enum(valuesOf(DnsQueryType)).default("A"),
    /** The name asked for. */
    name: z.string().regex(/^[A-Za-z0-9_.-]{1,253}$/, { message: "must be a DNS name" }),
    ...timing,
}).strict();

export const udpCheckSchema = z.object({
    type: z.literal("UDP"),
    port: port.optional(),
    /** require_reply: the server must answer the probe. */
    requireReply: z.boolean().default(false),
    ...timing,
}).strict();

export const pingCheckSchema = z.object({ type: z.literal("PING"), ...timing }).strict();

export const healthCheckSchema = z.discriminatedUnion("type", [
    tcpCheckSchema, httpCheckSchema, httpsCheckSchema, miscCheckSchema, dnsCheckSchema, udpCheckSchema, pingCheckSchema,
], { error: (iss) => iss.code === "invalid_union" ? 'must be one of "TCP", "HTTP", "HTTPS", "MISC", "DNS", "UDP", "PING"' : undefined });
export type HealthCheck = z.output<typeof healthCheckSchema>;
