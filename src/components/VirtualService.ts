// VirtualService: one IPVS service with its real servers, as a keepalived include file on both
// directors (backup first), validated on the host, then loaded with a reload.
import * as pulumi from "@pulumi/pulumi";
import type * as command from "@pulumi/command";
import type { DnsQueryType, ForwardingMode, HealthCheckType, Protocol, Scheduler, SchedulerFlag } from "../model/names";
import { keepalivedApply, keepalivedDelete } from "../remote/keepalivedFile";
import { checked, componentNameSchema } from "./checked";
import { hostCommand } from "./hostCommand";
import type { LvsDirectorPair } from "./LvsDirectorPair";
import type { RealServer } from "./RealServer";
import { namedBackends, serviceDriftChecks, serviceFirewall, serviceParts } from "./serviceParts";

/**
 * The timing every check shares. Whatever is left unset is not written, so keepalived's own defaults apply
 * (keepalived 2.2.7: connect_timeout 5 s; retry 1, DNS 3, MISC 0; delay_before_retry 1 s, HTTP/HTTPS 3 s,
 * DNS the check's delay_loop). Seconds may have fractions down to microseconds (0.5, 0.25).
 */
interface CheckTiming {
    /** connect_timeout, seconds (0.000001-3600). keepalived's default: 5. */
    connectTimeout?: pulumi.Input<number>;
    /** retry: further attempts after a failed check before the server is taken out (0-100). keepalived's default: 1 (DNS 3, MISC 0). */
    retry?: pulumi.Input<number>;
    /** delay_before_retry, seconds (0-3600). keepalived's default: 1 (HTTP/HTTPS 3, DNS the check's delay_loop). */
    delayBeforeRetry?: pulumi.Input<number>;
    /** delay_loop of this check, seconds (0.000001-3600). Defaults to the service's delayLoop. */
    delayLoop?: pulumi.Input<number>;
    /**
     * smtp_alert (written on the real server, where keepalived reads it): an e-mail when this check takes the
     * server out or puts it back. keepalived's default once the pair has `emailAlerts`: yes; without
     * `emailAlerts` keepalived sends nothing.
     */
    smtpAlert?: pulumi.Input<boolean>;
}

/**
 * A health check (keepalived's checkers), by `type`:
 * - "TCP" (TCP_CHECK): a TCP connect to `port`.
 * - "HTTP" (HTTP_GET) or "HTTPS" (SSL_GET): a GET of `path` that must answer `statusCode` (or whose body has `digest`).
 * - "MISC" (MISC_CHECK): `command` on the director; exit 0 = healthy (with `dynamic`, exit 2-255 sets weight code-2).
 * - "DNS" (DNS_CHECK): the server must answer a query for `name`.
 * - "UDP" (UDP_CHECK): a UDP probe; with requireReply the server must answer.
 * - "PING" (PING_CHECK): ICMP echo.
 * A field another type does not take is refused, naming it.
 */
export interface HealthCheckArgs extends CheckTiming {
    type: HealthCheckType;
    /** connect_port (TCP, HTTP, HTTPS, DNS, UDP); defaults to the real server's port. */
    port?: pulumi.Input<number>;
    /** HTTP, HTTPS: the URL path. Defaults to "/". */
    path?: pulumi.Input<string>;
    /** HTTP, HTTPS: the status code it must answer. Defaults to 200. */
    statusCode?: pulumi.Input<number>;
    /** HTTP, HTTPS: MD5 of the expected body (keepalived's genhash), instead of the status code. */
    digest?: pulumi.Input<string>;
    /** HTTP, HTTPS: the Host header. */
    virtualHost?: pulumi.Input<string>;
    /** MISC: the command (misc_path), an absolute path with plain arguments. Required for MISC. */
    command?: pulumi.Input<string>;
    /** MISC: misc_timeout, seconds. */
    timeout?: pulumi.Input<number>;
    /** MISC: misc_dynamic, the exit code sets the weight. Defaults to false. */
    dynamic?: pulumi.Input<boolean>;
    /** DNS: the name asked for. Required for DNS. */
    name?: pulumi.Input<string>;
    /** DNS: the record type asked for. Defaults to "A". */
    queryType?: pulumi.Input<DnsQueryType>;
    /** UDP: require_reply, the server must answer the probe. Defaults to false. */
    requireReply?: pulumi.Input<boolean>;
}
// One interface per kind, for programs that name it: each field is HealthCheckArgs' own.
/** TCP_CHECK: a TCP connect. */
export interface TcpCheckArgs extends CheckTiming, Pick<HealthCheckArgs, "port"> { type: "TCP" }
/** HTTP_GET ("HTTP") or SSL_GET ("HTTPS"): a GET of `path` that must answer `statusCode` (or whose body has `digest`). */
export interface HttpCheckArgs extends CheckTiming, Pick<HealthCheckArgs, "port" | "path" | "statusCode" | "digest" | "virtualHost"> { type: "HTTP" | "HTTPS" }
/** MISC_CHECK: a command on the director; exit 0 = healthy (with `dynamic`, exit 2-255 sets weight code-2). */
export interface MiscCheckArgs extends CheckTiming, Pick<HealthCheckArgs, "timeout" | "dynamic"> { type: "MISC"; command: pulumi.Input<string> }
/** DNS_CHECK: the server must answer a query for `name`. */
export interface DnsCheckArgs extends CheckTiming, Pick<HealthCheckArgs, "queryType" | "port"> { type: "DNS"; name: pulumi.Input<string> }
/** UDP_CHECK: a UDP probe; with requireReply the server must answer. */
export interface UdpCheckArgs extends CheckTiming, Pick<HealthCheckArgs, "port" | "requireReply"> { type: "UDP" }
/** PING_CHECK: ICMP echo. */
export interface PingCheckArgs extends CheckTiming { type: "PING" }

/** A firewall-mark service: the directors mark packets to vip:ports with `mark`, and IPVS balances the mark. */
export interface FwmarkArgs {
    /** The mark, 1-2147483647. */
    mark: pulumi.Input<number>;
    /** Packets to this address... */
    vip: pulumi.Input<string>;
    /** ...and these destination ports get the mark. */
    ports: pulumi.Input<pulumi.Input<number>[]>;
}

/** keepalived's sorry_server. */
export interface SorryServerArgs {
    address: pulumi.Input<string>;
    /** Defaults to the service port. */
    port?: pulumi.Input<number>;
}

export interface RealServerEntryArgs {
    /** The real server's address (RIP). Not with realServer. */
    address?: pulumi.Input<string>;
    /**
     * The RealServer component instead of an address: its `address` is the RIP, the service depends on it
     * (no director sends it traffic before it is ready), and it must be prepared for this service (same
     * mode; DR/TUN: the service's VIP in its vips; NAT: a VIP of the pair as its gateway). Needs a plain
     * array of realServers.
     */
    realServer?: RealServer;
    /** Its port. Defaults to the service port; in DR and TUN mode it must equal it. */
    port?: pulumi.Input<number>;
    /** IPVS weight, 0-65535; 0 takes no new connections and keeps existing ones. Defaults to 1. */
    weight?: pulumi.Input<number>;
    /** Drain: weight 0 on the hosts (no new connections, open ones stay), `weight` kept for later. */
    drain?: pulumi.Input<boolean>;
    /** Overrides the service's healthCheck for this server. */
    healthCheck?: pulumi.Input<HealthCheckArgs>;
    /** Overrides the service's inhibitOnFailure. */
    inhibitOnFailure?: pulumi.Input<boolean>;
    /** uthreshold: at most this many connections. */
    upperThreshold?: pulumi.Input<number>;
    /** lthreshold: takes new connections again below this many (needs upperThreshold). */
    lowerThreshold?: pulumi.Input<number>;
}

/** One service, without its pair: what a VirtualService takes besides `directors`, and an entry of a VirtualServiceSet. */
export interface ServiceSpecArgs {
    /** The VIP clients connect to (one of the pair's VIPs). Not with fwmark. */
    vip?: pulumi.Input<string>;
    /** The service port, 1-65535. Not with fwmark. */
    port?: pulumi.Input<number>;
    /** A firewall-mark service instead of VIP:port: the directors mark packets to vip:ports with `mark`. */
    fwmark?: pulumi.Input<FwmarkArgs>;
    /** protocol. Defaults to "TCP". */
    protocol?: pulumi.Input<Protocol>;
    /** lvs_sched: rr wrr lc wlc lblc lblcr dh sh sed nq fo ovf mh twos. Defaults to "wlc". */
    scheduler?: pulumi.Input<Scheduler>;
    /** sh-fallback / sh-port (with sh), mh-fallback / mh-port (with mh). */
    schedulerFlags?: pulumi.Input<pulumi.Input<SchedulerFlag>[]>;
    /** lvs_method: DR (direct routing), NAT or TUN. Defaults to "DR". */
    mode?: pulumi.Input<ForwardingMode>;
    /** persistence_timeout, seconds: a client keeps going to the same real server. */
    persistenceTimeout?: pulumi.Input<number>;
    /** persistence_granularity as a prefix length: clients of one /N network stick together. */
    persistenceGranularity?: pulumi.Input<number>;
    /** ops: one-packet scheduling (UDP only). */
    ops?: pulumi.Input<boolean>;
    /** delay_loop, seconds between health checks (0.000001-3600, fractions allowed). Defaults to 6. */
    delayLoop?: pulumi.Input<number>;
    /**
     * The health check of every real server. Defaults by protocol: TCP gets a TCP_CHECK on the real server's
     * port, UDP a UDP_CHECK (fails only on an ICMP port unreachable). Required for SCTP: keepalived has no SCTP check.
     */
    healthCheck?: pulumi.Input<HealthCheckArgs>;
    /** sorry_server: serves when no real server is up or the quorum is lost. */
    sorryServer?: pulumi.Input<SorryServerArgs>;
    /** quorum: the minimum sum of healthy weights; hysteresis avoids flapping around it. */
    quorum?: pulumi.Input<number>;
    hysteresis?: pulumi.Input<number>;
    /** inhibit_on_failure: a failing server gets weight 0 instead of being removed. Defaults to false. */
    inhibitOnFailure?: pulumi.Input<boolean>;
    /**
     * The real servers, each a RealServer component (realServer) or an address. Empty only with a sorryServer, which then takes every new connection; to stop new
     * connections without one, drain the servers (drain: true), or remove the VirtualService.
     */
    realServers: pulumi.Input<pulumi.Input<RealServerEntryArgs>[]>;
}

export interface VirtualServiceArgs extends ServiceSpecArgs {
    /** The director pair that serves it. */
    directors: LvsDirectorPair;
}

export class VirtualService extends pulumi.ComponentResource {
    /** "10.0.0.10:80/tcp" */
    readonly key: pulumi.Output<string>;
    /** The keepalived include file this service is, identical on both directors. */
    readonly config: pulumi.Output<string>;

    constructor(name: string, args: VirtualServiceArgs, opts?: pulumi.ComponentResourceOptions) {
        const named = namedBackends(args.realServers);
        super("pulumi-lvs:index:VirtualService", name, {}, pulumi.mergeOptions(opts, { dependsOn: named.map((n) => n.server) }));
        checked("VirtualService", name, componentNameSchema, { name }, this);
        const { directors, ...spec } = args;
        const parts = serviceParts({ component: "VirtualService", name, holder: `VirtualService "${name}"`, prefix: name, spec, directors, parent: this, opts, named });
        this.key = parts.key;
        this.config = parts.config;
        let previous: command.remote.Command | undefined;
        for (const node of directors.directors) {
            // Before the service: IPVS only sees marked packets, and the replies must get through.
            previous = serviceFirewall(parts, node, previous ? [node.ready, previous] : [node.ready]) ?? previous;
            previous = hostCommand(`${name}-${node.role}`, {
                connection: node.connection,
                title: pulumi.interpolate`VirtualService ${this.key} (${node.role} director)`,
                apply: parts.file.apply(keepalivedApply),
                remove: parts.file.apply(keepalivedDelete),
                stdin: this.config,
                // A new VIP, port or protocol is a new file: create it, then delete the old one.
                replaceOn: [parts.file.apply((f) => f.target)],
            }, { parent: this, dependsOn: previous ? [node.ready, previous] : [node.ready] });
        }
        serviceDriftChecks(parts, previous!);
        this.registerOutputs({ key: this.key, config: this.config });
    }
}

