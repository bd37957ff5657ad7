// One managed thing on one host: a remote.Command whose create/update and delete are pulumi-lvs
// scripts run as root. Its stdin carries the file content (a secret stays a secret).
import * as pulumi from "@pulumi/pulumi";
import * as command from "@pulumi/command";
import { asRoot } from "../remote/shell";

export interface HostCommandArgs {
    connection: pulumi.Input<command.types.input.remote.ConnectionArgs>;
    /** What it manages, for the first line of the command and for messages. */
    title: pulumi.Input<string>;
    apply: pulumi.Input<string>;
    remove: pulumi.Input<string>;
    stdin?: pulumi.Input<string>;
    /** A change of any of these replaces the resource (delete the old thing, create the new one). */
    replaceOn?: pulumi.Input<pulumi.Input<string>[]>;
}

export function hostCommand(name: string, args: HostCommandArgs, opts: pulumi.CustomResourceOptions): command.remote.Command {
    const title = pulumi.output(args.title);
    return new command.remote.Command(name, {
        connection: args.connection,
        create: pulumi.all([title, args.apply]).apply(([t, s]) => asRoot(`apply ${t}`, s)),
        delete: pulumi.all([title, args.remove]).apply(([t, s]) => (s === "true" ? s : asRoot(`remove ${t}`, s))),
        stdin: args.stdin,
        triggers: args.replaceOn,
        // The scripts print progress and errors on stderr; stdout holds the recorded prior state.
        logging: "stderr",
        // Prior state is read back from the host itself; most sshd configs reject env requests anyway.
        addPreviousOutputInEnv: false,
    }, opts);
}

/** Changes on every run of the program: a command triggered by it runs on every `pulumi up`. */
export const RUN_STAMP = new Date().toISOString();
