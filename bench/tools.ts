// The two tools the bench compares, each run as its user would: pulumi-lvs from an infra repo (the packed
// npm package, TypeScript programs, the pinned CLI), and Ansible (Debian's ansible package) with a
// playbook written for the bench. Each run is timed here, on the machine's clock.
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { labHost, repoRoot } from "../lab/helpers";
import { createInfraRepo, packPackage, type InfraRepo } from "../test/helpers/infraRepo";
import { LabStack } from "../test/helpers/labStack";
import { pulumiEnv } from "../test/helpers/pulumi-cli";

export interface Timed<T> { seconds: number; result: T }

export function timed<T>(run: () => T): Timed<T> {
    const start = process.hrtime.bigint();
    const result = run();
    return { seconds: Number(process.hrtime.bigint() - start) / 1e9, result };
}

/** The infra repo: examples/lab-dr as its main program, and the bench's scale and empty programs beside it. */
export function benchRepo(work: string): InfraRepo {
    const { tarball } = packPackage(work);
    const repo = createInfraRepo({ tarball, program: fs.readFileSync(path.join(repoRoot, "examples", "lab-dr", "index.ts"), "utf8"), project: "bench-lab-dr" });
    for (const program of ["scale", "empty"]) {
        const dir = path.join(repo.dir, program);
        fs.mkdirSync(dir);
        fs.copyFileSync(path.join(repoRoot, "bench", "programs", program, "index.ts"), path.join(dir, "index.ts"));
        fs.copyFileSync(path.join(repo.dir, "tsconfig.json"), path.join(dir, "tsconfig.json"));
        fs.writeFileSync(path.join(dir, "Pulumi.yaml"), `name: bench-${program}\nruntime:\n  name: nodejs\n  options:\n    typescript: true\n`);
    }
    return repo;
}

/** A stack of one of the repo's programs on the lab, with a VRRP password. */
export function benchStack(dir: string, name: string, config: Record<string, string> = {}): LabStack {
    return LabStack.create(dir, name, config, { vrrpPassword: "bench123" });
}

/**
 * `pulumi preview` under GNU time: its wall time and the peak resident memory of the largest process in
 * it (the CLI or the Node.js program).
 */
export function measuredPreview(dir: string, stack: string): { seconds: number; peakMiB: number } {
    const env = pulumiEnv();
    const t = timed(() => spawnSync("/usr/bin/time", ["-f", "%M", "pulumi", "--non-interactive", "preview", "--stack", stack], { cwd: dir, env, encoding: "utf8", maxBuffer: 256 * 1024 * 1024 }));
    if (t.result.status !== 0) throw new Error(`pulumi preview failed:\n${t.result.stdout}\n${t.result.stderr}`);
    const kb = Number(t.result.stderr.trim().split("\n").pop());
    return { seconds: t.seconds, peakMiB: Math.round(kb / 1024) };
}

export const ANSIBLE_DIR = path.join(repoRoot, "bench", "ansible");

export interface AnsibleService {
    name: string;
    port: number;
    delay_loop: number;
    check: "HTTP" | "TCP";
    inhibit: boolean;
    real_servers: { address: string; weight: number }[];
}

/** The inventory of the lab's hosts (directors and the DR real servers), as root with the lab's key. */
export function ansibleInventory(work: string, realServers: string[]): string {
    const host = (name: string, extra: Record<string, string> = {}) => {
        const h = labHost(name);
        return [name, { ansible_host: h.ssh.host, ansible_port: h.ssh.port, ansible_user: "root", ansible_ssh_private_key_file: h.ssh.privateKeyPath, ...extra }] as const;
    };
    const inventory = {
        directors: { hosts: Object.fromEntries([host("dir1", { role: "primary" }), host("dir2", { role: "secondary" })]) },
        real_servers: { hosts: Object.fromEntries(realServers.map((n) => host(n))) },
    };
    const file = path.join(work, "inventory.json");
    fs.writeFileSync(file, JSON.stringify(inventory, null, 2));
    return file;
}

/**
 * One `ansible-playbook` run; throws with its output when it fails. Its persistent SSH connections end
 * with it, so no later run (a row of its own) finds them open.
 */
export function ansiblePlaybook(work: string, inventory: string, playbook: string, vars: Record<string, unknown>): string {
    const varsFile = path.join(work, "vars.json");
    fs.writeFileSync(varsFile, JSON.stringify(vars));
    const res = spawnSync("ansible-playbook", ["-i", inventory, path.join(ANSIBLE_DIR, playbook), "-e", `@${varsFile}`], {
        cwd: work, encoding: "utf8", maxBuffer: 64 * 1024 * 1024,
        env: {
            ...process.env,
            ANSIBLE_HOST_KEY_CHECKING: "False",
            // What a tuned setup uses: modules piped through the connection, connections kept open.
            ANSIBLE_PIPELINING: "True",
            ANSIBLE_SSH_ARGS: "-C -o ControlMaster=auto -o ControlPersist=60s -o UserKnownHostsFile=/dev/null",
            ANSIBLE_SSH_CONTROL_PATH_DIR: path.join(work, "cp"),
            ANSIBLE_FORKS: "10",
            ANSIBLE_LOCAL_TEMP: path.join(work, "tmp"),
            ANSIBLE_NOCOLOR: "1",
            ANSIBLE_RETRY_FILES_ENABLED: "False",
        },
    });
    endConnections(work);
    if (res.status !== 0) throw new Error(`ansible-playbook ${playbook} failed:\n${res.stdout}\n${res.stderr}`);
    return res.stdout;
}

/** Ends Ansible's persistent SSH connections. */
function endConnections(work: string): void {
    const dir = path.join(work, "cp");
    if (!fs.existsSync(dir)) return;
    for (const socket of fs.readdirSync(dir)) spawnSync("ssh", ["-o", `ControlPath=${path.join(dir, socket)}`, "-O", "exit", "x"], { stdio: "ignore" });
}

