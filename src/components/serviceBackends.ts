// The RealServer components of the program and the real server addresses of its services. A service whose
// plain address is a RealServer it does not depend on gets a warning: it could go live (take connections)
// before that server has its VIPs or route. Whichever of the two is known last does the check.
import * as pulumi from "@pulumi/pulumi";
import { hostIdentity } from "../model/primitives";
import type { RealServer } from "./RealServer";

interface KnownServer { server: RealServer; address: string }
interface ServiceUse { service: pulumi.Resource; serviceName: string; entry: number; address: string; dependsOn: ReadonlySet<pulumi.Resource> }

const servers: KnownServer[] = [];
const uses: ServiceUse[] = [];
const warned = new Set<string>();

export function registerRealServer(server: RealServer): void {
    server.address.apply((address) => {
        const known = { server, address: hostIdentity(address) };
        servers.push(known);
        for (const use of uses) warnIfUnordered(use, known);
    });
}

/** `dependsOn` undefined: not known at construction (an Output), so nothing is said. */
export function registerServiceAddresses(service: pulumi.Resource, serviceName: string, addresses: pulumi.Output<string[]>, dependsOn: ReadonlySet<pulumi.Resource> | undefined): void {
    if (dependsOn === undefined) return;
    addresses.apply((list) => list.forEach((address, entry) => {
        const use = { service, serviceName, entry, address: hostIdentity(address), dependsOn };
        uses.push(use);
        for (const known of servers) warnIfUnordered(use, known);
    }));
}

function warnIfUnordered(use: ServiceUse, known: KnownServer): void {
    if (use.address !== known.address || use.dependsOn.has(known.server)) return;
    const key = `${use.serviceName}\u0000${known.server.name}`;
    if (warned.has(key)) return;
    warned.add(key);
    pulumi.log.warn(`VirtualService "${use.serviceName}": realServers[${use.entry}].address is the address of RealServer "${known.server.name}", which the service does not depend on: it can go live before that server is ready. Name it in the entry (realServer: ...) instead of its address, or add it to dependsOn`, use.service);
}

/** The resources of a dependsOn option and the named RealServers, when they are known at construction. */
export function plainDependsOn(opts: pulumi.ComponentResourceOptions | undefined, named: pulumi.Resource[]): Set<pulumi.Resource> | undefined {
    const d = opts?.dependsOn;
    if (d === undefined) return new Set(named);
    if (pulumi.Resource.isInstance(d)) return new Set([d, ...named]);
    if (Array.isArray(d) && d.every((x) => pulumi.Resource.isInstance(x))) return new Set([...(d as pulumi.Resource[]), ...named]);
    return undefined;
}
