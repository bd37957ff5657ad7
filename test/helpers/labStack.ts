// A throwaway stack of a Pulumi program, configured to deploy onto the lab.
import * as fs from "fs";
import { labStackConfig } from "../../lab/helpers";
import { pulumi, pulumiOk, type CliResult } from "./pulumi-cli";

export class LabStack {
    constructor(readonly dir: string, readonly name: string) {}

    /** Creates the stack and sets lab:hosts, lab:privateKey (secret) and the given config. */
    static create(dir: string, name: string, config: Record<string, string>, secrets: Record<string, string> = {}): LabStack {
        const lab = labStackConfig();
        return LabStack.init(dir, name, { "lab:hosts": lab.hosts, ...config }, { "lab:privateKey": fs.readFileSync(lab.privateKeyPath, "utf8"), ...secrets });
    }

    /** Creates the stack with only the given config: for a program that finds its hosts itself. */
    static init(dir: string, name: string, config: Record<string, string>, secrets: Record<string, string> = {}): LabStack {
        const stack = new LabStack(dir, name);
        pulumi(dir, ["stack", "rm", "--yes", "--force", name]);
        pulumiOk(dir, ["stack", "init", name]);
        for (const [k, v] of Object.entries(config)) stack.config(k, v);
        for (const [k, v] of Object.entries(secrets)) stack.secret(k, v);
        return stack;
    }

    config(key: string, value: string, path = false): void {
        pulumiOk(this.dir, ["config", "set", "--stack", this.name, ...(path ? ["--path"] : []), key, "--", value]);
    }

    /** Secrets go through stdin, never through a command line. */
    secret(key: string, value: string): void {
        pulumiOk(this.dir, ["config", "set", "--stack", this.name, "--secret", key], { input: value });
    }

    run(args: string[]): CliResult {
        return pulumi(this.dir, [...args, "--stack", this.name]);
    }

    ok(args: string[]): CliResult {
        return pulumiOk(this.dir, [...args, "--stack", this.name]);
    }

    up(): CliResult {
        return this.ok(["up", "--yes", "--skip-preview"]);
    }

    /** Destroys and removes the stack; never throws (for after() hooks). */
    remove(): void {
        this.run(["destroy", "--yes", "--skip-preview"]);
        pulumi(this.dir, ["stack", "rm", "--yes", "--force", this.name]);
    }
}

/**
 * What @pulumi/command reports for each failed command in the Diagnostics of a `pulumi up`:
 * `Process exited with status N: running "<command>":` then the command's output.
 */
export function failureReports(output: string): { command: string; output: string }[] {
    const diagnostics = output.slice(output.indexOf("Diagnostics:"));
    return [...diagnostics.matchAll(/error: Process exited with status \d+: running "((?:[^"\\]|\\.)*)":\n((?:[ \t]+\S.*\n?)*)/g)]
        .map((m) => ({ command: m[1]!, output: m[2]!.split("\n").map((l) => l.trim()).join("\n").trim() }));
}
