// The names users pick from (schedulers, modes, check types...), apart from the schemas that check them:
// the package's declarations reach these and not zod's, so type-checking a program that uses the
// package stays quick.
// Each set of names is a constant object with its type of the same name: TypeScript programs write the
// plain strings ("wrr"), and the component package's schema (Python, Go) gets a named enum whose members
// are the keys. The values, in this order, are what validation accepts and lists in its messages.

/**
 * An IPVS scheduler (keepalived's lvs_sched, `ipvsadm -s`), e.g. wrr (weighted round robin), wlc (weighted
 * least connections), sh (source hashing), mh (Maglev hashing). The directors' kernel needs its ip_vs_* module.
 */
export const Scheduler = {
    /** Round robin. */
    RR: "rr",
    /** Weighted round robin. */
    WRR: "wrr",
    /** Least connections. */
    LC: "lc",
    /** Weighted least connections. */
    WLC: "wlc",
    /** Locality-based least connections. */
    LBLC: "lblc",
    /** Locality-based least connections with replication. */
    LBLCR: "lblcr",
    /** Destination hashing. */
    DH: "dh",
    /** Source hashing. */
    SH: "sh",
    /** Shortest expected delay. */
    SED: "sed",
    /** Never queue. */
    NQ: "nq",
    /** Weighted failover. */
    FO: "fo",
    /** Weighted overflow. */
    OVF: "ovf",
    /** Maglev hashing. */
    MH: "mh",
    /** Weighted random twos choice. */
    TWOS: "twos",
} as const;
export type Scheduler = (typeof Scheduler)[keyof typeof Scheduler];

/** The IPVS forwarding method (keepalived's lvs_method): direct routing, NAT, or IP-in-IP tunnelling. */
export const ForwardingMode = { DR: "DR", NAT: "NAT", TUN: "TUN" } as const;
export type ForwardingMode = (typeof ForwardingMode)[keyof typeof ForwardingMode];

/** The transport protocol of a virtual service. */
export const Protocol = { TCP: "TCP", UDP: "UDP", SCTP: "SCTP" } as const;
export type Protocol = (typeof Protocol)[keyof typeof Protocol];

/** VRRP authentication (keepalived's authentication block). */
export const AuthType = {
    /** auth_type PASS: a password of up to 8 characters in every advertisement. */
    Password: "PASS",
    /** auth_hmac: HMAC-signed advertisements (keepalived 2.4+). */
    Hmac: "HMAC",
} as const;
export type AuthType = (typeof AuthType)[keyof typeof AuthType];

/** keepalived's lvs_flags for the hashing schedulers: sh-fallback / sh-port with sh, mh-fallback / mh-port with mh. */
export const SchedulerFlag = {
    /** sh-fallback: skip an unavailable server (scheduler sh). */
    ShFallback: "sh-fallback",
    /** sh-port: hash the source port too (scheduler sh). */
    ShPort: "sh-port",
    /** mh-fallback: skip an unavailable server (scheduler mh). */
    MhFallback: "mh-fallback",
    /** mh-port: hash the source port too (scheduler mh). */
    MhPort: "mh-port",
} as const;
export type SchedulerFlag = (typeof SchedulerFlag)[keyof typeof SchedulerFlag];

/** The record type a DNS_CHECK asks for (keepalived's type). */
export const DnsQueryType = { A: "A", NS: "NS", CNAME: "CNAME", SOA: "SOA", MX: "MX", TXT: "TXT", AAAA: "AAAA" } as const;
export type DnsQueryType = (typeof DnsQueryType)[keyof typeof DnsQueryType];

/** The kind of a health check: keepalived's TCP_CHECK, HTTP_GET, SSL_GET, MISC_CHECK, DNS_CHECK, UDP_CHECK or PING_CHECK. */
export const HealthCheckType = {
    /** TCP_CHECK: a TCP connect. */
    TCP: "TCP",
    /** HTTP_GET: a GET that must answer the status code (or digest). */
    HTTP: "HTTP",
    /** SSL_GET: HTTP_GET over TLS. */
    HTTPS: "HTTPS",
    /** MISC_CHECK: a command on the director. */
    MISC: "MISC",
    /** DNS_CHECK: a query the server must answer. */
    DNS: "DNS",
    /** UDP_CHECK: a UDP probe. */
    UDP: "UDP",
    /** PING_CHECK: ICMP echo. */
    PING: "PING",
} as const;
export type HealthCheckType = (typeof HealthCheckType)[keyof typeof HealthCheckType];

/** Which director of a pair: the primary holds the VIPs while healthy, the secondary takes over. */
export type DirectorRole = "primary" | "secondary";
