// One managed thing on one host: a remote.Command whose create/update and delete are pulumi-lvs
// scripts run as root. Its stdin carries both scripts, then the file content (a secret stays a secret).
import * as pulumi from "@pulumi/pulumi";
import * as command from "@pulumi/command";
import { hostCommandText, ownerOf } from "../remote/shell";

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

export function hostCommand(name: string, args: HostCommandArgs, opts: pulumi.CustomResourceOptions & { parent: pulumi.Resource }): command.remote.Command {
    // The scripts record on the host which resource owns what they change (see scripts/claims.sh).
    // The parent's URN without its dependency on the parent: depending on a component waits for all its
    // children, this command included.
    const parentUrn = pulumi.output(new Promise<string>((resolve) => opts.parent.urn.apply(resolve)));
    const owner = pulumi.all([parentUrn, args.replaceOn ?? []]).apply(([p, t]) => ownerOf(p, name, t));
    // The commands are derived without the content, so a secret content never makes them secret.
    const commands = pulumi.all([args.title, args.apply, args.remove, owner]).apply(([t, a, r, o]) => hostCommandText(t, a, r, "", o));
    return new command.remote.Command(name, {
        connection: args.connection,
        create: commands.create,
        // Its own command, so the scripts tell an update from a second instance (`pulumi up --replace`).
        update: commands.update,
        // Undefined when there is nothing to undo: the provider then does not connect on delete.
        delete: commands.delete as pulumi.Output<string>,
        // The scripts travel on stdin, ahead of the content (a secret content makes all of it secret).
        stdin: pulumi.all([commands, args.stdin ?? ""]).apply(([c, i]) => `${c.stdin}${i}`),
        triggers: args.replaceOn,
        // The scripts print progress and errors on stderr; stdout holds the recorded prior state.
        logging: "stderr",
        // Prior state is read back from the host itself; most sshd configs reject env requests anyway.
        addPreviousOutputInEnv: false,
    }, opts);
}

/** Changes on every run of the program: a command triggered by it runs on every `pulumi up`. */
export const RUN_STAMP = new Date().toISOString();
