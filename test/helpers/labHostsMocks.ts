// What examples/lab-hosts's "lab" command prints, for running that example under Pulumi mocks
// (test/helpers/exampleUnderMocks.ts): the lab's hosts as `lab status --json` lists them, each with an SSH
// port and a host key of its own (mockHostKey, so a test can tell them apart), and the lab's SSH key file
// (a real file, removed when the process ends: the program reads it).
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type * as pulumi from "@pulumi/pulumi";
import { mockHostKey, mockKeyPair } from "./cloudMocks";

/** The lab's key file: its content is what a test looks for as a secret. */
export const LAB_KEY = mockKeyPair("lab").privateKeyPem;
const keyDir = fs.mkdtempSync(path.join(os.tmpdir(), "plvs-labhosts-"));
const keyPath = path.join(keyDir, "id_ed25519");
fs.writeFileSync(keyPath, LAB_KEY, { mode: 0o600 });
process.on("exit", () => fs.rmSync(keyDir, { recursive: true, force: true }));

/** Host -> [SSH port, front address]; ports and addresses are not in the same order, as in no real lab. */
export const LAB_HOSTS: Record<string, [number, string]> = {
    dir1: [24117, "10.201.0.11"],
    dir2: [24103, "10.201.0.12"],
    rs1: [24121, "10.201.0.21"],
    rs2: [24109, "10.201.0.22"],
    rs3: [24112, "10.201.0.23"],
    client: [24130, "10.201.0.50"],
};

export function labOutput(labName: string, startedByStack = true) {
    return {
        lab: labName,
        startedByStack,
        hosts: Object.entries(LAB_HOSTS).map(([name, [port, front]]) => ({
            name,
            role: name.startsWith("dir") ? "director" : name.startsWith("rs") ? "real" : "client",
            ssh: { host: "127.0.0.1", port, user: "root", privateKeyPath: keyPath },
            addresses: [
                { segment: "mgmt", interface: "mgmt0", address: front.replace("10.201.", "10.200."), prefixLength: 24 },
                { segment: "front", interface: "eth0", address: front, prefixLength: 24 },
                { segment: "front", interface: "eth0", address: `fd00:201::${front.split(".")[3]}`, prefixLength: 64 },
            ],
            hostKey: mockHostKey(name),
        })),
    };
}

export function newResource(args: pulumi.runtime.MockResourceArgs): { id: string; state: Record<string, unknown> } | undefined {
    if (args.type !== "command:local:Command" || args.name !== "lab") return undefined;
    const env = (args.inputs.environment ?? {}) as Record<string, string>;
    return { id: "lab-id", state: { ...args.inputs, stdout: `${JSON.stringify(labOutput(env.LAB_NAME ?? "?"), null, 1)}\n`, stderr: "" } };
}
