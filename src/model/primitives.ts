// The value rules that the kernel, ipvsadm and keepalived enforce, as zod schemas with human rules.
import { isIPv4, isIPv6, SocketAddress } from "net";
import { z } from "zod";
import { ForwardingMode, Protocol, Scheduler } from "./names";

export { ForwardingMode, Protocol, Scheduler } from "./names";

/** Dotted decimal only: no leading zeros, no hex or octal parts, no shortened forms. */
const IPV4 = /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

export function isIpv4(s: string): boolean {
    return IPV4.test(s) && isIPv4(s);
}

/** Any IPv6 spelling, without a zone ("%eth0"): an address here is global, and `ip` prints no zone. */
export function isIpv6(s: string): boolean {
    return !s.includes("%") && isIPv6(s);
}

export function isIp(s: unknown): s is string {
    return typeof s === "string" && (isIpv4(s) || isIpv6(s));
}

/**
 * The one spelling of an address, the one `ip` prints: IPv4 as given (dotted decimal is already
 * unique), IPv6 lowercase and compressed by inet_ntop (RFC 5952, "::ffff:1.2.3.4" for IPv4-mapped).
 * Scripts compare addresses with `ip` output as strings, so every address is canonical from validation on.
 */
export function canonicalIp(s: string): string {
    if (isIpv4(s)) return s;
    if (!isIpv6(s)) throw new Error(`not an IP address: ${JSON.stringify(s)}`);
    return new SocketAddress({ address: s, family: "ipv6" }).address;
}

/** What tells two spellings of one host apart from two hosts: an address canonical, a name lowercase. */
export function hostIdentity(host: string): string {
    return isIpv4(host) || isIpv6(host) ? canonicalIp(host) : host.toLowerCase();
}

export const ipAddress = z.string().refine(isIp, { message: "must be an IPv4 or IPv6 address" }).transform(canonicalIp);

/** An address with an optional prefix length: 10.0.0.10, 10.0.0.10/24, fd00::10/64; canonical after parsing. */
export const ipWithPrefix = z.string().refine((s) => {
    const [addr, prefix, extra] = s.split("/");
    if (extra !== undefined || !addr) return false;
    const max = isIpv4(addr) ? 32 : isIpv6(addr) ? 128 : -1;
    if (max < 0) return false;
    return prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= max);
}, { message: "must be an IPv4 or IPv6 address with an optional /prefix" }).transform((s) => {
    const [addr, prefix] = s.split("/");
    return prefix === undefined ? canonicalIp(addr!) : `${canonicalIp(addr!)}/${Number(prefix)}`;
});

export const port = z.number().int({ message: "must be a whole number" }).min(1).max(65535);
/** IPVS real-server weight: 0 quiesces the server. */
export const weight = z.number().int({ message: "must be a whole number" }).min(0).max(65535);
export const seconds = z.number().int({ message: "must be a whole number of seconds" }).min(1).max(86400);

/**
 * A keepalived timer (connect_timeout, delay_before_retry, delay_loop, vrrp_garp_interval): seconds with at
 * most 6 decimals, since keepalived counts them in microseconds and rejects a seventh decimal.
 */
export const decimalSeconds = (min: number, max: number) => z.number()
    .min(min, { message: `must be at least ${min} (seconds)` })
    .max(max, { message: `must be at most ${max} (seconds)` })
    .refine((v) => Number(v.toFixed(6)) === v, { message: "must have at most 6 decimal places: keepalived counts in microseconds" });

/** A timer as keepalived reads it: 0.5, 2, 0.000001 (never an exponent). */
export function formatSeconds(v: number): string {
    return v.toFixed(6).replace(/\.?0+$/, "");
}

/** Linux interface names: 1-15 characters, no slash, no whitespace, not "." or "..". */
export const interfaceName = z.string().regex(/^(?!\.{1,2}$)[A-Za-z0-9_.:@-]{1,15}$/, {
    message: "must be a Linux interface name (1-15 letters, digits, '_', '.', '-', ':' or '@')",
});

/** A name that becomes part of file names, unit names and keepalived identifiers. */
export const safeName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/, {
    message: "must be 1-63 letters, digits, '_', '.' or '-', starting with a letter or digit",
});

// The values of a set of names (names.ts), in order: what validation accepts and lists in its messages.
export const valuesOf = <T extends Record<string, string>>(names: T) => Object.values(names) as [T[keyof T], ...T[keyof T][]];

export const SCHEDULERS = valuesOf(Scheduler);
export const scheduler = z.enum(SCHEDULERS);

export const FORWARDING_MODES = valuesOf(ForwardingMode);

export const PROTOCOLS = valuesOf(Protocol);

export function family(address: string): 4 | 6 {
    return isIpv4(address.split("/")[0] ?? "") ? 4 : 6;
}

/** A single address as a host route: 10.0.0.10/32, fd00::10/128. */
export function hostCidr(address: string): string {
    return `${address}/${family(address) === 4 ? 32 : 128}`;
}

/** "10.0.0.10:80", "[fd00::10]:80". */
export function hostPort(address: string, port: number): string {
    return `${address.includes(":") ? `[${address}]` : address}:${port}`;
}
