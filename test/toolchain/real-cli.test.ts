// Drives the real Pulumi CLI (built by scripts/setup-toolchain.sh) through a program with one
// command:local:Command, and checks each step on the files the command really writes and removes.
import { strict as assert } from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { pulumi, pulumiEnv, pulumiOk, repoRoot } from "../helpers/pulumi-cli";

const program = path.join(repoRoot, "test", "fixtures", "local-command");

describe("real Pulumi toolchain", function () {
    this.timeout(180_000);
    const stack = `toolchain-${process.pid}`;
    let work: string;
    let marker: string;
    let runLog: string;

    const runs = () => (fs.existsSync(runLog) ? fs.readFileSync(runLog, "utf8").trim().split("\n") : []);

    before(() => {
        work = fs.mkdtempSync(path.join(os.tmpdir(), "pulumi-lvs-toolchain-"));
        marker = path.join(work, "marker.txt");
        runLog = path.join(work, "runs.log");
        pulumiOk(program, ["stack", "init", stack]);
        pulumiOk(program, ["config", "set", "--stack", stack, "file", marker]);
        pulumiOk(program, ["config", "set", "--stack", stack, "runLog", runLog]);
        pulumiOk(program, ["config", "set", "--stack", stack, "content", "hello"]);
    });

    after(() => {
        pulumi(program, ["destroy", "--yes", "--stack", stack]);
        pulumi(program, ["stack", "rm", "--yes", "--force", stack]);
        fs.rmSync(work, { recursive: true, force: true });
    });

    it("is the pinned CLI with the pinned command plugin", () => {
        assert.equal(pulumiOk(program, ["version"]).stdout.trim(), "v3.248.0");
        assert.match(pulumiOk(program, ["plugin", "ls"]).stdout, /command\s+resource\s+1\.2\.1/);
    });

    it("runs only official builds: each binary names its upstream module and the pinned version", () => {
        const env = pulumiEnv();
        const which = (bin: string) => execFileSync("bash", ["-c", `command -v ${bin}`], { env, encoding: "utf8" }).trim();
        const binaries = [
            { file: which("pulumi"), path: "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi", version: "github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v3.248.0" },
            { file: which("pulumi-language-nodejs"), path: "github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3", version: "github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v3.248.0" },
            {
                file: path.join(env.PULUMI_HOME!, "plugins", "resource-command-v1.2.1", "pulumi-resource-command"),
                path: "github.com/pulumi/pulumi-command/provider/cmd/pulumi-resource-command",
                version: "github.com/pulumi/pulumi-command/provider/pkg/version.Version=1.2.1",
            },
        ];
        for (const b of binaries) {
            // `go version -m` reads the build info Go writes into every binary: a script or a Node.js
            // look-alike has none.
            const info = execFileSync("go", ["version", "-m", b.file], { encoding: "utf8" });
            assert.match(info, new RegExp(`^\\s+path\\s+${b.path.replace(/\./g, "\\.")}$`, "m"), `${b.file} is built from ${b.path}`);
            assert.ok(info.includes(`-X ${b.version}`), `${b.file} carries ${b.version}`);
        }
    });

    it("preview shows the create and runs nothing", () => {
        const res = pulumiOk(program, ["preview", "--stack", stack]);
        assert.match(res.stdout, /\+\s+command:local:Command\s+marker\s+create/);
        assert.match(res.stdout, /\+ 2 to create/);
        assert.equal(fs.existsSync(marker), false);
        assert.deepEqual(runs(), []);
    });

    it("up runs the create command", () => {
        const res = pulumiOk(program, ["up", "--yes", "--stack", stack]);
        assert.match(res.stdout, /\+ 2 created/);
        assert.equal(fs.readFileSync(marker, "utf8"), "hello");
        assert.deepEqual(runs(), ["create hello"]);
        assert.equal(pulumiOk(program, ["stack", "output", "stdout", "--stack", stack]).stdout.trim(), "created hello");
    });

    it("a second up changes nothing and runs no command", () => {
        const res = pulumiOk(program, ["up", "--yes", "--stack", stack]);
        assert.match(res.stdout, /2 unchanged/);
        assert.doesNotMatch(res.stdout, /[+~-] \d+ (created|updated|deleted|replaced)/);
        assert.deepEqual(runs(), ["create hello"]);
    });

    it("a changed input shows as an update in preview --diff, and up applies it", () => {
        pulumiOk(program, ["config", "set", "--stack", stack, "content", "world"]);
        const preview = pulumiOk(program, ["preview", "--diff", "--stack", stack]);
        assert.match(preview.stdout, /~\s+CONTENT\s*:\s*"hello"\s*=>\s*"world"/);
        assert.match(preview.stdout, /~ 1 to update/);
        assert.equal(fs.readFileSync(marker, "utf8"), "hello", "preview must not run the command");
        pulumiOk(program, ["up", "--yes", "--stack", stack]);
        assert.equal(fs.readFileSync(marker, "utf8"), "world");
        assert.deepEqual(runs(), ["create hello", "create world"]);
    });

    it("destroy runs the delete command", () => {
        const res = pulumiOk(program, ["destroy", "--yes", "--stack", stack]);
        assert.match(res.stdout, /- 2 deleted/);
        assert.equal(fs.existsSync(marker), false);
        assert.deepEqual(runs(), ["create hello", "create world", "delete world"]);
    });

    it("a missing plugin is a clear error, not a download", () => {
        const emptyHome = fs.mkdtempSync(path.join(os.tmpdir(), "pulumi-lvs-home-"));
        try {
            const started = Date.now();
            const res = pulumi(program, ["preview", "--stack", stack], { env: { PULUMI_HOME: emptyHome } });
            assert.notEqual(res.code, 0);
            assert.match(res.output, /no resource plugin 'pulumi-resource-command' found/);
            assert.ok(Date.now() - started < 60_000, "must fail fast, not wait on the network");
        } finally {
            fs.rmSync(emptyHome, { recursive: true, force: true });
        }
    });
});
