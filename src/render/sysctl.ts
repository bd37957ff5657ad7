// sysctl.d files from tables of settings, each with the reason it is set.
export interface SysctlSetting {
    key: string;
    value: string;
    reason: string;
}

export function renderSysctlFile(title: string, settings: ReadonlyArray<SysctlSetting>): string {
    const sorted = [...settings].sort((a, b) => a.key.localeCompare(b.key));
    const lines = [`# Managed by pulumi-lvs: ${title}. Local edits are overwritten.`];
    for (const s of sorted) lines.push("", `# ${s.reason}`, `${s.key} = ${s.value}`);
    return `${lines.join("\n")}\n`;
}

/** User overrides replace defaults with the same key; new keys are added. */
export function mergeSysctls(defaults: ReadonlyArray<SysctlSetting>, overrides: Record<string, string | number>): SysctlSetting[] {
    const byKey = new Map(defaults.map((s) => [s.key, s]));
    for (const [key, value] of Object.entries(overrides)) {
        byKey.set(key, { key, value: String(value), reason: "set by the LvsDirectorPair args" });
    }
    return [...byKey.values()];
}
