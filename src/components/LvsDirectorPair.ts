// LvsDirectorPair: two directors with ipvsadm + keepalived, sharing VIPs through VRRP.
import * as pulumi from "@pulumi/pulumi";
import type * as command from "@pulumi/command";
import { authPassSchema, directorPairSchema, type DirectorPairModel } from "../model/directorPair";
import { z } from "zod";
import { DIRECTOR_SYSCTLS } from "../render/directorSysctls";
import { renderAuthDefinition, renderKeepalivedMain, type DirectorRole } from "../render/keepalivedMain";
import { AUTH_CONF, KEEPALIVED_CONF } from "../render/paths";
import { mergeSysctls, renderSysctlFile } from "../render/sysctl";
import { keepalivedApply, keepalivedDelete } from "../remote/keepalivedFile";
import { DIRECTOR_PACKAGES, packagesCreate, packagesDelete } from "../remote/packages";
import { sysctlApply, sysctlDelete } from "../remote/sysctl";
import { checked, componentNameSchema } from "./checked";
import { checkedConnection, type ConnectionArgs } from "./connection";
import { hostCommand } from "./hostCommand";

export interface VrrpArgs {
    /** virtual_router_id, 1-255: unique among VRRP routers on the segment. */
    virtualRouterId: pulumi.Input<number>;
    /**
     * auth_pass (auth_type PASS), 1-8 characters: keepalived silently ignores the rest, so longer
     * values are rejected. Pass it as a secret; it reaches the directors only in a 0600 file.
     */
    authPass: pulumi.Input<string>;
    /** advert_int, seconds between adverts; a backup takes over after about 3 of them. Defaults to 1. */
    advertInt?: pulumi.Input<number>;
    /** priority of each director, 1-254. Defaults to { primary: 150, secondary: 100 }. */
    priorities?: pulumi.Input<{ primary: pulumi.Input<number>; secondary: pulumi.Input<number> }>;
    /** Both start as BACKUP with `nopreempt`: a recovered director does not take the VIPs back. Defaults to false. */
    nopreempt?: pulumi.Input<boolean>;
    /** preempt_delay, seconds a recovered primary waits before taking the VIPs back. */
    preemptDelay?: pulumi.Input<number>;
}

export interface LvsDirectorPairArgs {
    /** The director that holds the VIPs while it is healthy (state MASTER). */
    primary: pulumi.Input<ConnectionArgs>;
    /** The director that takes over (state BACKUP). Changes are applied to it first. */
    secondary: pulumi.Input<ConnectionArgs>;
    /** The NIC carrying the VIPs and the VRRP adverts, e.g. "eth0". */
    interface: pulumi.Input<string>;
    /** The VIPs (virtual_ipaddress), e.g. ["10.0.0.100"] or ["10.0.0.100/24"]; /32 when no prefix is given. */
    vips: pulumi.Input<pulumi.Input<string>[]>;
    /** The VRRP instance. */
    vrrp: VrrpArgs;
    /**
     * Extra sysctls on both directors, or overrides of the defaults
     * (net.ipv4.vs.expire_nodest_conn=1, net.ipv4.vs.expire_quiescent_template=1).
     */
    sysctls?: pulumi.Input<Record<string, pulumi.Input<string | number>>>;
}

/** What a VirtualService needs of one director. */
export interface DirectorNode {
    role: DirectorRole;
    connection: pulumi.Output<command.types.input.remote.ConnectionArgs>;
    /** keepalived runs with the pair's configuration once this is done. */
    ready: pulumi.Resource;
}

export class LvsDirectorPair extends pulumi.ComponentResource {
    /** The VIPs, as given. */
    readonly vips: pulumi.Output<string[]>;
    /** The VRRP interface. */
    readonly interface: pulumi.Output<string>;
    /** keepalived.conf of each director (it holds no secret: the password is a definition in another file). */
    readonly configs: pulumi.Output<{ primary: string; secondary: string }>;
    /** The directors in the order changes are applied: secondary (BACKUP) first, then primary. */
    readonly directors: DirectorNode[];

    constructor(name: string, args: LvsDirectorPairArgs, opts?: pulumi.ComponentResourceOptions) {
        super("pulumi-lvs:index:LvsDirectorPair", name, {}, opts);
        const component = "LvsDirectorPair";
        checked(component, name, componentNameSchema, { name }, this);
        const { authPass, ...vrrp } = args.vrrp;
        const model: pulumi.Output<DirectorPairModel> = checked(component, name, directorPairSchema,
            { interface: args.interface, vips: args.vips, vrrp, sysctls: args.sysctls }, this);
        const auth = checked(component, name, z.object({ vrrp: z.object({ authPass: authPassSchema }) }), { vrrp: { authPass } }, this);
        const authText = pulumi.secret(auth.apply((a) => renderAuthDefinition(a.vrrp.authPass)));
        const sysctlText = model.apply((m) => renderSysctlFile(`LvsDirectorPair "${name}"`, mergeSysctls(DIRECTOR_SYSCTLS, m.sysctls)));
        const configs = {
            primary: model.apply((m) => renderKeepalivedMain(name, m, "primary")),
            secondary: model.apply((m) => renderKeepalivedMain(name, m, "secondary")),
        };

        this.directors = [];
        let previous: pulumi.Resource | undefined;
        for (const role of ["secondary", "primary"] as const) {
            // No command can start before every input is valid, Outputs included.
            const connection = pulumi.all([checkedConnection(component, name, role, args[role], this), model, auth]).apply(([c]) => c);
            const child = (suffix: string) => `${name}-${role}-${suffix}`;
            const packages = hostCommand(child("packages"), {
                connection,
                title: `ipvsadm and keepalived (${role} director)`,
                apply: packagesCreate(DIRECTOR_PACKAGES, ["ip_vs"]),
                remove: packagesDelete(DIRECTOR_PACKAGES),
            }, { parent: this, dependsOn: previous ? [previous] : [] });
            const sysctls = hostCommand(child("sysctls"), {
                connection,
                title: `director sysctls (${role})`,
                apply: sysctlApply(`director-${name}`),
                remove: sysctlDelete(`director-${name}`),
                stdin: sysctlText,
            }, { parent: this, dependsOn: [packages] });
            const authFile = { kind: "auth" as const, target: AUTH_CONF };
            const authCmd = hostCommand(child("auth"), {
                connection,
                title: `VRRP password definition (${role})`,
                apply: keepalivedApply(authFile),
                remove: keepalivedDelete(authFile),
                stdin: authText,
            }, { parent: this, dependsOn: [sysctls], additionalSecretOutputs: ["stdin"] });
            const mainFile = { kind: "main" as const, target: KEEPALIVED_CONF };
            const keepalived = hostCommand(child("keepalived"), {
                connection,
                title: `keepalived.conf (${role} director)`,
                apply: keepalivedApply(mainFile),
                remove: keepalivedDelete(mainFile),
                stdin: configs[role],
            }, { parent: this, dependsOn: [authCmd] });
            this.directors.push({ role, connection, ready: keepalived });
            previous = keepalived;
        }

        this.vips = model.apply((m) => m.vips);
        this.interface = model.apply((m) => m.interface);
        this.configs = pulumi.output(configs);
        this.registerOutputs({ vips: this.vips, interface: this.interface, configs: this.configs });
    }
}
