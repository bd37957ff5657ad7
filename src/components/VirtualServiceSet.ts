// VirtualServiceSet: many services of one pair in one component, their keepalived files changed on each
// director by one command: one validation, one reload, one verification for all of them (backup first).
// Each service is built as a VirtualService's is (serviceParts.ts): the same checks, file, firewall rules
// and drift checks; only the keepalived files travel together.
import * as pulumi from "@pulumi/pulumi";
import type * as command from "@pulumi/command";
import { LvsValidationError } from "../model/errors";
import { safeName } from "../model/primitives";
import { claimUnique } from "../model/uniqueness";
import { keepalivedSetApply, keepalivedSetDelete, setManifest } from "../remote/keepalivedSet";
import { hostCommand } from "./hostCommand";
import type { LvsDirectorPair } from "./LvsDirectorPair";
import type { ServiceSpecArgs } from "./VirtualService";
import { checked, componentNameSchema } from "./checked";
import { namedBackends, serviceDriftChecks, serviceFirewall, serviceParts, type ServiceParts } from "./serviceParts";

export interface VirtualServiceSetArgs {
    /** The director pair that serves them. */
    directors: LvsDirectorPair;
    /**
     * The services, by name (1-63 letters, digits, '_', '.' or '-'): each takes what a VirtualService
     * takes besides `directors`. Adding, changing or removing any number of them is one command, one
     * validation and one reload per director. Each service is an object (its fields may be Outputs): which
     * commands it needs (its firewall rules, the RealServers it waits for) is known when the program runs.
     */
    services: Record<string, pulumi.Input<ServiceSpecArgs>>;
}

export class VirtualServiceSet extends pulumi.ComponentResource {
    /** Each service's key ("10.0.0.10:80/tcp"), by name. */
    readonly keys: pulumi.Output<Record<string, string>>;
    /** Each service's keepalived include file, by name. */
    readonly configs: pulumi.Output<Record<string, string>>;

    constructor(name: string, args: VirtualServiceSetArgs, opts?: pulumi.ComponentResourceOptions) {
        const component = "VirtualServiceSet";
        const given = Object.entries(pulumi.Output.isInstance(args.services) ? {} : args.services ?? {});
        // An Output or a Promise in place of a service's object: its keys cannot be read now.
        const specs = given.filter((e): e is [string, ServiceSpecArgs] => !pulumi.Output.isInstance(e[1]) && !(e[1] instanceof Promise));
        const named = specs.map(([, spec]) => namedBackends(spec.realServers));
        super(`pulumi-lvs:index:${component}`, name, {}, pulumi.mergeOptions(opts, { dependsOn: named.flat().map((n) => n.server) }));
        checked(component, name, componentNameSchema, { name }, this);
        if (pulumi.Output.isInstance(args.services)) {
            throw new pulumi.ResourceError(new LvsValidationError(component, name, [{ path: "services", value: "(an Output)", rule: "must be an object of services by name, known when the program runs: each name is a resource (its fields may be Outputs)" }]).message, this, true);
        }
        const opaque = given.filter(([key]) => !specs.some(([k]) => k === key));
        if (opaque.length) {
            throw new pulumi.ResourceError(new LvsValidationError(component, name, opaque.map(([key]) => ({ path: `services.${key}`, value: "(an Output)", rule: "must be an object (its fields may be Outputs): the commands a service needs are known when the program runs" }))).message, this, true);
        }
        const badNames = given.filter(([key]) => !safeName.safeParse(key).success);
        if (badNames.length) {
            throw new pulumi.ResourceError(new LvsValidationError(component, name, badNames.map(([key]) => ({ path: `services`, value: key, rule: "names a service with 1-63 letters, digits, '_', '.' or '-', starting with a letter or digit" }))).message, this, true);
        }
        if (given.length === 0) {
            throw new pulumi.ResourceError(new LvsValidationError(component, name, [{ path: "services", value: {}, rule: "needs at least one service (remove the set to remove its services)" }]).message, this, true);
        }
        const { directors } = args;
        // A service's commands are named `${name}-${key}-<role>-<kind>`: set "a" with service "b-c" and set
        // "a-b" with service "c" would both have a-b-c-primary-drift.
        const clashes = specs.flatMap(([key]) => {
            const holder = claimUnique("service commands", `${name}-${key}`, `service "${key}" of VirtualServiceSet "${name}"`);
            return holder === undefined ? [] : [{ path: `services.${key}`, value: key, rule: `gets the command names ${name}-${key}-..., like ${holder}: rename one of them` }];
        });
        if (clashes.length) throw new pulumi.ResourceError(new LvsValidationError(component, name, clashes).message, this, true);
        const parts: ServiceParts[] = specs.map(([key, spec], i) => serviceParts({
            component, name: `${name}.${key}`, holder: `VirtualServiceSet "${name}" (service "${key}")`, prefix: `${name}-${key}`, spec, directors, parent: this, opts, named: named[i]!,
        }));
        const byName = (pick: (p: ServiceParts) => pulumi.Output<string>): pulumi.Output<Record<string, string>> =>
            pulumi.all(parts.map(pick)).apply((values) => Object.fromEntries(specs.map(([key], i) => [key, values[i]!])));
        this.keys = byName((p) => p.key);
        this.configs = byName((p) => p.config);
        const manifest = pulumi.all(parts.map((p) => pulumi.all([p.file, p.config]))).apply((files) =>
            setManifest(files.map(([file, content], i) => ({ name: specs[i]![0], file, content }))));

        let previous: command.remote.Command | undefined;
        for (const node of directors.directors) {
            const before = previous ? [node.ready, previous] : [node.ready];
            // Each service's firewall rules first (IPVS only sees marked packets, and replies must get through).
            const firewalls = parts.flatMap((p) => serviceFirewall(p, node, before) ?? []);
            previous = hostCommand(`${name}-${node.role}`, {
                connection: node.connection,
                title: `VirtualServiceSet ${name} (${node.role} director)`,
                apply: keepalivedSetApply(name),
                remove: keepalivedSetDelete(name),
                stdin: manifest,
            }, { parent: this, dependsOn: [...before, ...firewalls] });
        }
        for (const p of parts) serviceDriftChecks(p, previous!);
        this.registerOutputs({ keys: this.keys, configs: this.configs });
    }
}
