// One run of a small driftCheck program under Pulumi mocks, in its own process (each run has its own
// RUN_STAMP, as two `pulumi` runs do), with the drift probe reaching fake hosts instead of SSH.
// Usage: node -r tsx/cjs driftRunUnderMocks.ts <preview|up> '<hosts JSON>' <out file>. The hosts JSON:
// { "<host>": { "down"?: true, "drift"?: { "<file name>": ["<difference>", ...] }, "record"?: { "<file name>": "<mark>" } } }.
// Writes { commands: { <name>: inputs } of the drift checks, probes: [{ host, command, stdin }], warnings }.
import * as fs from "fs";
import * as pulumi from "@pulumi/pulumi";
import { unpackedStdin } from "../../src/remote/shell";

interface FakeHost { down?: boolean; drift?: Record<string, string[]>; record?: Record<string, string> }
const [mode, hostsJson, outFile] = process.argv.slice(2);
if ((mode !== "preview" && mode !== "up") || !hostsJson || !outFile) throw new Error("usage: driftRunUnderMocks.ts <preview|up> <hosts JSON> <out file>");
const hosts = JSON.parse(hostsJson) as Record<string, FakeHost>;

const commands: Record<string, Record<string, unknown>> = {};
pulumi.runtime.setMocks({
    newResource(args) {
        if (args.name.endsWith("-drift")) commands[args.name] = { ...args.inputs, stdin: unpackedStdin(args.inputs.stdin) };
        return { id: `${args.name}-id`, state: { ...args.inputs, stdout: "", stderr: "" } };
    },
    call: (args) => args.inputs,
}, "project", "stack", mode === "preview");

const warnings: string[] = [];
const log = pulumi.log as { warn: (msg: string) => Promise<void> };
log.warn = async (msg: string) => { warnings.push(msg); };

const probes: { host: string; command: string; stdin: string }[] = [];
/* eslint-disable @typescript-eslint/no-require-imports */
const { useRemoteRunner } = require("../../src/components/driftProbe") as typeof import("../../src/components/driftProbe");
useRemoteRunner(async (conn, command, stdin) => {
    probes.push({ host: conn.host, command, stdin: unpackedStdin(stdin) });
    const host = hosts[conn.host] ?? {};
    if (host.down) throw new Error(`connect ECONNREFUSED ${conn.host}:${conn.port}`);
    const file = /^TARGET='([^']*)'$/m.exec(unpackedStdin(stdin))![1]!.split("/").pop()!;
    const lines = (host.drift?.[file] ?? []).map((d) => `drift ${d}`);
    const record = host.record?.[file];
    if (record !== undefined) lines.push(`record ${Buffer.from(record).toString("base64")}`);
    return { code: 0, stdout: [...lines, "end", ""].join("\n"), stderr: "" };
});

const lvs = require("../../src") as typeof import("../../src");
const key = pulumi.secret("-----BEGIN OPENSSH PRIVATE KEY-----\nMOCKKEY\n-----END OPENSSH PRIVATE KEY-----");
const pair = new lvs.LvsDirectorPair("lb", {
    primary: { host: "10.1.1.1", privateKey: key },
    secondary: { host: "10.1.1.2", privateKey: key },
    interface: "eth0",
    vips: ["10.0.0.10"],
    vrrp: { virtualRouterId: 7, authPass: pulumi.secret("pw12345") },
    driftCheck: true,
});
new lvs.VirtualService("web", { directors: pair, vip: "10.0.0.10", port: 80, realServers: [{ address: "10.0.0.21" }] });

process.on("exit", (code) => {
    if (code === 0) fs.writeFileSync(outFile, JSON.stringify({ commands, probes, warnings }));
});
