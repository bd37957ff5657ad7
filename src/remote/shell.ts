// Building blocks for the scripts that remote.Command runs: quoting, parameters, and the wrapper
// that runs a script as root (directly, or through `sudo -n` for a sudo-capable user).

/** Single-quotes a value for POSIX shells: nothing inside can expand or end the word. */
export function shq(value: string): string {
    return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** `NAME='value'` lines that set a script's parameters. */
export function params(values: Record<string, string | number | ReadonlyArray<string>>): string {
    return Object.entries(values)
        .map(([name, v]) => {
            if (!/^[A-Z][A-Z0-9_]*$/.test(name)) throw new Error(`bad parameter name ${name}`);
            return `${name}=${shq(Array.isArray(v) ? v.join(" ") : String(v))}`;
        })
        .join("\n");
}

/**
 * The command string given to remote.Command: runs `script` with bash as root. stdin passes through
 * untouched (it carries file contents and secrets; nothing secret is ever in the command line).
 */
export function asRoot(title: string, script: string): string {
    return [
        `# pulumi-lvs: ${title.replace(/\n/g, " ")}`,
        `S=; [ "$(id -u)" -eq 0 ] || S="sudo -n"`,
        `exec $S /bin/bash -c ${shq(script)} pulumi-lvs`,
    ].join("\n");
}
