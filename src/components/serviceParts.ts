// The parts of one service that a VirtualService and a VirtualServiceSet build alike: its validated
// model (checked against the other services of the program and its named RealServers), its key, its
// keepalived include file, its firewall rules and its drift checks. What differs is how the file reaches
// the directors: a command of its own (VirtualService), or one command for the whole set.
import * as pulumi from "@pulumi/pulumi";
import type * as command from "@pulumi/command";
import { virtualServiceSchema, type VirtualServiceModel } from "../model/virtualService";
import { serviceFile, serviceKey } from "../render/keys";
import { SECRET_MARK } from "../model/secrets";
import { claimUnique } from "../model/uniqueness";
import { renderVirtualService } from "../render/keepalivedService";
import { ipvsServiceArgs, keepalivedApply, type KeepalivedFile } from "../remote/keepalivedFile";
import { renderServiceRules } from "../render/firewall";
import { serviceRuleSet } from "../render/ruleSets";
import { fwApply, fwDelete } from "../remote/firewall";
import { LvsValidationError } from "../model/errors";
import { backendProblems, type NamedBackend } from "../model/serviceBackends";
import { checked, inputError } from "./checked";
import { hostCommand } from "./hostCommand";
import { driftTrigger } from "./driftProbe";
import { driftForget, withDriftMark } from "../remote/drift";
import type { DirectorNode, LvsDirectorPair } from "./LvsDirectorPair";
import type { RealServer } from "./RealServer";
import type { ServiceSpecArgs, RealServerEntryArgs } from "./VirtualService";
import { plainDependsOn, registerServiceAddresses } from "./serviceBackends";

export interface ServicePartsArgs {
    /** For messages: "VirtualService", "VirtualServiceSet". */
    component: string;
    /** The service's name in messages and in its keepalived file. */
    name: string;
    /** Who holds the service, in messages about a clash: `VirtualService "web"`, `VirtualServiceSet "apps" (service "web")`. */
    holder: string;
    /** The start of its commands' names: `${prefix}-${role}-nat`, ... */
    prefix: string;
    spec: ServiceSpecArgs;
    directors: LvsDirectorPair;
    parent: pulumi.Resource;
    opts: pulumi.ComponentResourceOptions | undefined;
    named: NamedEntry[];
}

export interface ServiceParts {
    args: ServicePartsArgs;
    model: pulumi.Output<VirtualServiceModel>;
    /** "10.0.0.10:80/tcp" */
    key: pulumi.Output<string>;
    /** The keepalived include file, identical on both directors. */
    config: pulumi.Output<string>;
    file: pulumi.Output<KeepalivedFile>;
    /** Its own firewall rules (see serviceFirewall), when it has any: the command's kind, the rule set's name, the rules. */
    firewall?: { kind: "fwmark" | "nat" | "firewall"; ruleSet: pulumi.Output<string>; rules: pulumi.Output<string> };
}

export function serviceParts(args: ServicePartsArgs): ServiceParts {
    const { component, name, holder: self, spec, directors, parent, opts, named } = args;
    const input = { ...spec, realServers: withAddresses(spec.realServers) };
    const validModel: pulumi.Output<VirtualServiceModel> = checked(component, name, virtualServiceSchema, input, parent, (m, secrets) => {
        // Two services on one key would write one include file: the delete of either removes both.
        const holder = claimUnique("service", `${directors.name}\u0000${serviceKey(m)}`, self);
        const keyFrom = m.fwmark ? [["fwmark", "mark"]] : [["vip"], ["port"], ["protocol"]];
        const key = keyFrom.some((p) => secrets.has(p)) ? SECRET_MARK : serviceKey(m);
        if (holder !== undefined) return [{ path: m.fwmark ? "fwmark.mark" : "port", value: key, rule: `is already served by ${holder} on LvsDirectorPair "${directors.name}": one VirtualService per VIP, port and protocol (or fwmark) on a pair` }];
        // The firewall set's name ends in a hash: two services whose names collide would share one set.
        if (!m.fwmark && m.mode !== "NAT" && !directors.firewall) return [];
        const setHolder = claimUnique("firewall set", `${directors.name}\u0000${serviceRuleSet(m)}`, self);
        return setHolder === undefined ? [] : [{ path: m.fwmark ? "fwmark.mark" : "port", value: key, rule: `gets the firewall chains ${serviceRuleSet(m)}, like ${setHolder} on LvsDirectorPair "${directors.name}": change the port or the VIP of one of them` }];
    });
    const model = named.length === 0 ? validModel : preparedBackends(component, name, validModel, named, directors, parent);
    registerServiceAddresses(parent, name, model.apply((m) => m.realServers.map((rs) => rs.address)), plainDependsOn(opts, named.map((n) => n.server)));
    const file = model.apply((m) => ({ kind: "service" as const, target: serviceFile(m), verifyIpvs: ipvsServiceArgs(m.protocol, m.vip ?? m.fwmark!.vip, m.port ?? 0, m.fwmark?.mark), verifyScheduler: m.scheduler }));
    // Its mark (fwmark), the replies of its real servers (NAT), and with the pair's `firewall` its VIP and
    // port. A mode known only later may be NAT: the command then exists, with no rules if it is not.
    const kind = spec.fwmark !== undefined ? "fwmark"
        : spec.mode === "NAT" || (spec.mode !== undefined && typeof spec.mode !== "string") ? "nat"
        : directors.firewall ? "firewall" : undefined;
    const firewall: ServiceParts["firewall"] = kind === undefined ? undefined : {
        kind,
        ruleSet: model.apply(serviceRuleSet),
        rules: pulumi.all([model, directors.realServerInterface]).apply(([m, nic]) => renderServiceRules(name, m, nic, directors.firewall) ?? ""),
    };
    return { args, model, key: model.apply(serviceKey), config: model.apply((m) => renderVirtualService(name, m)), file, firewall };
}

/** The service's own firewall rules on one director (undefined when it has none). */
export function serviceFirewall(parts: ServiceParts, node: DirectorNode, dependsOn: pulumi.Input<pulumi.Resource>[]): command.remote.Command | undefined {
    const { prefix, parent } = parts.args;
    if (parts.firewall === undefined) return undefined;
    const { kind, ruleSet, rules } = parts.firewall;
    return hostCommand(`${prefix}-${node.role}-${kind}`, {
        connection: node.connection,
        title: pulumi.interpolate`firewall rules of VirtualService ${parts.key} (${node.role} director)`,
        apply: ruleSet.apply(fwApply),
        remove: ruleSet.apply(fwDelete),
        stdin: rules,
        replaceOn: [ruleSet],
    }, { parent, dependsOn });
}

/** With the pair's driftCheck: a drift check of the service's file on each director, after `after`. */
export function serviceDriftChecks(parts: ServiceParts, after: command.remote.Command): void {
    const { directors, prefix, parent, name, component } = parts.args;
    if (!directors.driftCheck) return;
    const checkedFile = parts.file.apply((f) => ({ ...f, drift: true }));
    for (const node of directors.directors) {
        const mark = driftTrigger({
            what: `${component} "${name}": drift check (${node.role} director)`,
            connection: node.connection, file: checkedFile, content: parts.config, after: [after], parent,
        });
        hostCommand(`${prefix}-${node.role}-drift`, {
            connection: node.connection,
            title: pulumi.interpolate`drift check of VirtualService ${parts.key} (${node.role} director)`,
            apply: checkedFile.apply(keepalivedApply),
            remove: checkedFile.apply(driftForget),
            stdin: pulumi.all([mark, parts.config]).apply(([m, c]) => withDriftMark(m, c)),
            replaceOn: [mark],
        }, { parent, dependsOn: [after] });
    }
}

export interface NamedEntry { index: number; server: RealServer; withAddress: boolean }

/** The entries that name a RealServer component (of a plain array: an Output's are not known in time for dependsOn). */
export function namedBackends(realServers: ServiceSpecArgs["realServers"]): NamedEntry[] {
    if (!Array.isArray(realServers)) return [];
    return realServers.flatMap((e: pulumi.Input<RealServerEntryArgs>, index) => {
        if (pulumi.Output.isInstance(e) || e instanceof Promise || e.realServer === undefined) return [];
        return [{ index, server: e.realServer, withAddress: e.address !== undefined }];
    });
}

/** The entries as the model takes them: a RealServer stands for its address. */
function withAddresses(realServers: ServiceSpecArgs["realServers"]): ServiceSpecArgs["realServers"] {
    if (!Array.isArray(realServers)) return realServers;
    return realServers.map((e: pulumi.Input<RealServerEntryArgs>) => {
        if (pulumi.Output.isInstance(e) || e instanceof Promise || e.realServer === undefined) return e;
        const { realServer, ...entry } = e;
        return { ...entry, address: realServer.address };
    });
}

/** The model, once every named RealServer is known to be prepared for the service (an error on the service otherwise). */
function preparedBackends(component: string, name: string, model: pulumi.Output<VirtualServiceModel>, named: NamedEntry[], directors: LvsDirectorPair, parent: pulumi.Resource): pulumi.Output<VirtualServiceModel> {
    const backends = pulumi.all(named.map((n) => pulumi.all([n.server.mode, n.server.vips, n.server.gateway]).apply(([mode, vips, gateway]): NamedBackend => ({
        index: n.index, name: n.server.name, mode, vips, gateway, withAddress: n.withAddress,
    }))));
    return pulumi.all([model, backends, directors.vips, directors.insideVips]).apply(([m, b, vips, insideVips]) => {
        const problems = backendProblems({ mode: m.mode, vip: m.vip ?? m.fwmark!.vip, pairName: directors.name, gateways: insideVips.length ? insideVips : vips }, b);
        if (problems.length) throw inputError(new LvsValidationError(component, name, problems).message, parent);
        return m;
    });
}
