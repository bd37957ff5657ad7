// VirtualService: one IPVS service with its real servers, as a keepalived include file on both
// directors (backup first), validated on the host, then loaded with a reload.
import * as pulumi from "@pulumi/pulumi";
import type { ForwardingMode, Protocol, Scheduler } from "../model/primitives";
import { virtualServiceSchema, type VirtualServiceModel } from "../model/virtualService";
import { serviceFile, serviceKey } from "../render/keys";
import { renderVirtualService } from "../render/keepalivedService";
import { ipvsServiceArgs, keepalivedApply, keepalivedDelete } from "../remote/keepalivedFile";
import { checked, componentNameSchema } from "./checked";
import { hostCommand } from "./hostCommand";
import type { LvsDirectorPair } from "./LvsDirectorPair";

export interface TcpCheckArgs {
    /** TCP_CHECK: a TCP connect to the real server. */
    type: "TCP";
    /** connect_port. Defaults to the real server's port. */
    port?: pulumi.Input<number>;
    /** connect_timeout, seconds. Defaults to 3. */
    connectTimeout?: pulumi.Input<number>;
    /** retry: failed attempts before the server is taken out. Defaults to 3. */
    retry?: pulumi.Input<number>;
    /** delay_before_retry, seconds. Defaults to 1. */
    delayBeforeRetry?: pulumi.Input<number>;
}
export type HealthCheckArgs = TcpCheckArgs;

export interface RealServerEntryArgs {
    /** The real server's address (RIP). */
    address: pulumi.Input<string>;
    /** Its port. Defaults to the service port; in DR and TUN mode it must equal it. */
    port?: pulumi.Input<number>;
    /** IPVS weight, 0-65535; 0 takes no new connections and keeps existing ones. Defaults to 1. */
    weight?: pulumi.Input<number>;
    /** Overrides the service's healthCheck for this server. */
    healthCheck?: pulumi.Input<HealthCheckArgs>;
}

export interface VirtualServiceArgs {
    /** The director pair that serves it. */
    directors: LvsDirectorPair;
    /** The VIP clients connect to (one of the pair's VIPs). */
    vip: pulumi.Input<string>;
    /** The service port, 1-65535. */
    port: pulumi.Input<number>;
    /** protocol. Defaults to "TCP". */
    protocol?: pulumi.Input<Protocol>;
    /** lvs_sched: rr wrr lc wlc lblc lblcr dh sh sed nq fo ovf mh twos. Defaults to "wlc". */
    scheduler?: pulumi.Input<Scheduler>;
    /** lvs_method: DR (direct routing), NAT or TUN. Defaults to "DR". */
    mode?: pulumi.Input<ForwardingMode>;
    /** persistence_timeout, seconds: a client keeps going to the same real server. */
    persistenceTimeout?: pulumi.Input<number>;
    /** delay_loop, seconds between health checks. Defaults to 6. */
    delayLoop?: pulumi.Input<number>;
    /** The health check of every real server. Defaults to a TCP_CHECK on the real server's port. */
    healthCheck?: pulumi.Input<HealthCheckArgs>;
    /** The real servers (at least one). */
    realServers: pulumi.Input<pulumi.Input<RealServerEntryArgs>[]>;
}

export class VirtualService extends pulumi.ComponentResource {
    /** "10.0.0.10:80/tcp" */
    readonly key: pulumi.Output<string>;
    /** The keepalived include file this service is, identical on both directors. */
    readonly config: pulumi.Output<string>;

    constructor(name: string, args: VirtualServiceArgs, opts?: pulumi.ComponentResourceOptions) {
        super("pulumi-lvs:index:VirtualService", name, {}, opts);
        const component = "VirtualService";
        checked(component, name, componentNameSchema, { name }, this);
        const { directors, ...rest } = args;
        const model: pulumi.Output<VirtualServiceModel> = checked(component, name, virtualServiceSchema, rest, this);
        this.key = model.apply(serviceKey);
        this.config = model.apply((m) => renderVirtualService(name, m));
        const file = model.apply((m) => ({ kind: "service" as const, target: serviceFile(m), verifyIpvs: ipvsServiceArgs(m.protocol, m.vip, m.port), verifyScheduler: m.scheduler }));

        let previous: pulumi.Resource | undefined;
        for (const node of directors.directors) {
            previous = hostCommand(`${name}-${node.role}`, {
                connection: node.connection,
                title: pulumi.interpolate`VirtualService ${this.key} (${node.role} director)`,
                apply: file.apply(keepalivedApply),
                remove: file.apply(keepalivedDelete),
                stdin: this.config,
                // A new VIP, port or protocol is a new file: create it, then delete the old one.
                replaceOn: [file.apply((f) => f.target)],
            }, { parent: this, dependsOn: previous ? [node.ready, previous] : [node.ready] });
        }
        this.registerOutputs({ key: this.key, config: this.config });
    }
}
