// The npm package as a user gets it: packed, installed into an infra repo outside the clone, and previewed
// with the real Pulumi CLI (a preview runs no remote command, so it needs no lab).
import { strict as assert } from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { createInfraRepo, packageCopies, packPackage, type InfraRepo } from "../helpers/infraRepo";
import { pulumi, pulumiOk, repoRoot } from "../helpers/pulumi-cli";

const PROGRAM = `import * as pulumi from "@pulumi/pulumi";
import { LvsDirectorPair, RealServer, VirtualService } from "pulumi-lvs";

const privateKey = pulumi.secret("-----BEGIN OPENSSH PRIVATE KEY-----\\nnot used by a preview\\n-----END OPENSSH PRIVATE KEY-----");
const vip = "10.210.0.100";
const lb = new LvsDirectorPair("lb", {
    primary: { host: "10.210.0.11", privateKey },
    secondary: { host: "10.210.0.12", privateKey },
    interface: "eth0",
    vips: [vip],
    vrrp: { virtualRouterId: 51, authPass: pulumi.secret("secret12") },
});
const web1 = new RealServer("web1", { connection: { host: "10.210.0.21", privateKey }, mode: "DR", vips: [vip] });
const web = new VirtualService("web", { directors: lb, vip, port: 80, mode: "DR", realServers: [{ realServer: web1, weight: 2 }] });
export const service = web.key;
export const primary = lb.primaryHost;
`;

describe("the npm package", function () {
    this.timeout(240_000);
    const stack = `package-${process.pid}`;
    let work: string;
    let packed: { tarball: string; files: string[] };
    let infra: InfraRepo | undefined;

    before(() => {
        work = fs.mkdtempSync(path.join(os.tmpdir(), "pulumi-lvs-pack-"));
        packed = packPackage(work);
    });

    after(() => {
        if (infra) pulumi(infra.dir, ["stack", "rm", "--yes", "--force", stack]);
        infra?.remove();
        fs.rmSync(work, { recursive: true, force: true });
    });

    it("holds the compiled JS, its .d.ts and the remote scripts beside it, the component package's folder and its schema, and nothing else", () => {
        const scripts = fs.readdirSync(path.join(repoRoot, "src", "remote", "scripts")).map((f) => `dist/remote/scripts/${f}`);
        const other = packed.files.filter((f) => !/^dist\/.+\.(js|d\.ts)$/.test(f) && !scripts.includes(f));
        assert.deepEqual(other, ["LICENSE", "README.md", "dist/plugin/schema.json", "package.json", "plugin/PulumiPlugin.yaml", "plugin/host.js", "plugin/package.json"]);
        // The schema the build inferred from the sources is the reviewed one (test/unit/packageSchema.test.ts).
        const unpacked = fs.mkdtempSync(path.join(work, "unpacked-"));
        execFileSync("tar", ["-xzf", packed.tarball, "-C", unpacked]);
        assert.equal(fs.readFileSync(path.join(unpacked, "package", "dist", "plugin", "schema.json"), "utf8"), fs.readFileSync(path.join(repoRoot, "test", "unit", "golden", "package-schema.json"), "utf8"));
        for (const f of scripts) assert.ok(packed.files.includes(f), `${f} is packed`);
        for (const f of ["dist/index.js", "dist/index.d.ts", "dist/remote/scriptText.js"]) assert.ok(packed.files.includes(f), `${f} is packed`);
        // One .js per .ts of src/: dist is built from scratch, nothing stale.
        const sources = execFind(path.join(repoRoot, "src")).filter((f) => f.endsWith(".ts")).map((f) => `dist/${f.replace(/\.ts$/, ".js")}`).sort();
        assert.deepEqual(packed.files.filter((f) => f.startsWith("dist/") && f.endsWith(".js")), sources);
    });

    it("installs into an infra repo outside the clone, with one @pulumi/pulumi, and `pulumi preview` plans the components", () => {
        infra = createInfraRepo({ tarball: packed.tarball, program: PROGRAM });
        assert.ok(!infra.dir.startsWith(repoRoot));
        assert.deepEqual(packageCopies(infra.dir, "@pulumi/pulumi"), [path.join(infra.dir, "node_modules", "@pulumi", "pulumi")]);
        pulumiOk(infra.dir, ["stack", "init", stack]);
        const res = pulumiOk(infra.dir, ["preview", "--stack", stack, "--json"]);
        assert.doesNotMatch(res.output, /Could not find entry point/);
        const steps = (JSON.parse(res.stdout) as { steps: { op: string; urn: string; newState?: { type: string; dependencies?: string[] } }[] }).steps;
        const urn = (type: string, name: string) => steps.find((s) => s.newState?.type === type && s.urn.endsWith(`::${name}`))?.urn;
        for (const [type, name] of [["pulumi-lvs:index:LvsDirectorPair", "lb"], ["pulumi-lvs:index:RealServer", "web1"], ["pulumi-lvs:index:VirtualService", "web"], ["command:remote:Command", "web-primary"]]) {
            assert.ok(urn(type!, name!), `the plan creates ${type} ${name}`);
        }
        // The entry that names the RealServer makes the service depend on it: the SDK records a dependency on
        // a component as one on each of its resources, so the service waits for web1's VIPs and sysctls.
        const service = steps.find((s) => s.urn === urn("pulumi-lvs:index:VirtualService", "web"))!;
        assert.deepEqual([...service.newState!.dependencies!].sort(), [urn("command:remote:Command", "web1-sysctls"), urn("command:remote:Command", "web1-vips")]);
    });

    it("a program that uses it type-checks without reading zod's declarations (Pulumi type-checks the program on every run)", function () {
        if (!infra) this.skip();
        const files = execFileSync(path.join(infra.dir, "node_modules", ".bin", "tsc"), ["--noEmit", "--listFiles", "-p", infra.dir], { encoding: "utf8" }).split("\n");
        const ours = files.filter((f) => f.includes("/node_modules/pulumi-lvs/"));
        assert.ok(ours.some((f) => f.endsWith("/dist/index.d.ts")), "the program reads the package's declarations");
        assert.deepEqual(files.filter((f) => f.includes("/node_modules/zod/")), [], "no declaration of zod");
        assert.ok(ours.length <= 10, `the package's declarations it reads: ${ours.map((f) => f.split("/dist/")[1]).join(", ")}`);
    });
});

function execFind(dir: string, prefix = ""): string[] {
    return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? execFind(path.join(dir, e.name), `${prefix}${e.name}/`) : [`${prefix}${e.name}`]));
}
