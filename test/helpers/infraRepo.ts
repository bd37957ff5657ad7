// A user's infra repo outside the clone: the packed pulumi-lvs tarball installed from npm beside the pinned
// @pulumi/pulumi and @pulumi/command, a Pulumi.yaml and an index.ts that imports only "pulumi-lvs".
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { pulumiOk, repoRoot } from "./pulumi-cli";

const npmEnv = () => ({ ...process.env, npm_config_loglevel: "error", npm_config_fund: "false", npm_config_audit: "false" });

/** The one pack of this process (the repo does not change during a test run), removed when it exits. */
let packed: { tarball: string; files: string[] } | undefined;

/**
 * `npm pack` of this repo, copied into `dest`: built and packed once per process, with its prepack build
 * (the repo's .npmrc turns scripts off for dependencies; the package's own build must run). Returns the
 * tarball in `dest` and the files in it.
 */
export function packPackage(dest: string): { tarball: string; files: string[] } {
    if (!packed) {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pulumi-lvs-packed-"));
        process.on("exit", () => fs.rmSync(dir, { recursive: true, force: true }));
        const out = execFileSync("npm", ["pack", "--ignore-scripts=false", "--json", "--pack-destination", dir], { cwd: repoRoot, env: npmEnv(), encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], maxBuffer: 16 * 1024 * 1024 });
        // The prepack build prints to stdout before the JSON.
        const [info] = JSON.parse(out.slice(out.indexOf("\n[") + 1)) as { filename: string; files: { path: string }[] }[];
        packed = { tarball: path.join(dir, info!.filename), files: info!.files.map((f) => f.path).sort() };
    }
    const tarball = path.join(dest, path.basename(packed.tarball));
    fs.copyFileSync(packed.tarball, tarball);
    return { tarball, files: [...packed.files] };
}

export interface InfraRepo {
    dir: string;
    /** Deletes the repo. */
    remove(): void;
}

/** The versions our own tests run with (package.json's dependencies and devDependencies). */
function pinned(name: string): string {
    const pkg = JSON.parse(fs.readFileSync(path.join(repoRoot, "package.json"), "utf8")) as Record<"dependencies" | "devDependencies", Record<string, string>>;
    return pkg.devDependencies[name] ?? pkg.dependencies[name]!;
}

/** Creates and installs the repo in os.tmpdir(); `program` is its index.ts. */
export function createInfraRepo(opts: { tarball: string; program: string; project?: string }): InfraRepo {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pulumi-lvs-infra-"));
    const project = opts.project ?? "lvs-infra";
    const deps = Object.fromEntries(["@pulumi/pulumi", "@pulumi/command"].map((n) => [n, pinned(n)]));
    const devDeps = Object.fromEntries(["typescript", "ts-node", "@types/node"].map((n) => [n, pinned(n)]));
    const write = (file: string, text: string) => fs.writeFileSync(path.join(dir, file), text);
    write("package.json", `${JSON.stringify({ name: project, private: true, dependencies: { "pulumi-lvs": `file:${opts.tarball}`, ...deps }, devDependencies: devDeps }, null, 2)}\n`);
    // @pulumi/command's install script would fetch its plugin: the toolchain (scripts/env.sh) has it already.
    write(".npmrc", "ignore-scripts=true\nfund=false\naudit=false\n");
    write("Pulumi.yaml", `name: ${project}\nruntime:\n  name: nodejs\n  options:\n    typescript: true\n`);
    write("tsconfig.json", `${JSON.stringify({ compilerOptions: { strict: true, target: "es2020", module: "commonjs", moduleResolution: "node", esModuleInterop: true, skipLibCheck: true }, files: ["index.ts"] }, null, 2)}\n`);
    write("index.ts", opts.program);
    execFileSync("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund"], { cwd: dir, env: npmEnv(), stdio: ["ignore", "pipe", "pipe"] });
    return { dir, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** Every copy of a package in a node_modules tree, by the folder of its package.json. */
export function packageCopies(dir: string, name: string): string[] {
    const found: string[] = [];
    const walk = (nm: string) => {
        if (!fs.existsSync(nm)) return;
        for (const entry of fs.readdirSync(nm)) {
            const scoped = entry.startsWith("@") ? fs.readdirSync(path.join(nm, entry)).map((e) => `${entry}/${e}`) : [entry];
            for (const pkg of scoped) {
                const at = path.join(nm, pkg);
                if (pkg === name && fs.existsSync(path.join(at, "package.json"))) found.push(at);
                walk(path.join(at, "node_modules"));
            }
        }
    };
    walk(path.join(dir, "node_modules"));
    return found;
}

/**
 * A Python or Go infra repo outside the clone, as the README has it: the packed pulumi-lvs installed
 * from npm (with the pinned @pulumi/pulumi and @pulumi/command it runs on), then
 * `pulumi package add ./node_modules/pulumi-lvs/plugin`, which generates the local SDK in sdks/ and
 * installs it (Python: into the program's venv; Go: a replace line in go.mod).
 * `example` is the folder of examples/ copied in (its Pulumi.yaml loses the in-repo `packages:` entry).
 */
export function createLanguageRepo(opts: { tarball: string; example: string }): InfraRepo & { added: string } {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pulumi-lvs-infra-"));
    const source = path.join(repoRoot, "examples", opts.example);
    for (const file of fs.readdirSync(source)) {
        if (["sdks", "venv"].includes(file) || file.startsWith("Pulumi.") && file !== "Pulumi.yaml") continue;
        fs.cpSync(path.join(source, file), path.join(dir, file), { recursive: true });
    }
    // As before `pulumi package add`: no `packages:` entry, no SDK line in requirements.txt.
    const project = fs.readFileSync(path.join(dir, "Pulumi.yaml"), "utf8");
    fs.writeFileSync(path.join(dir, "Pulumi.yaml"), project.replace(/\npackages:\n(?: {2}.*\n?)*/, "\n"));
    const requirements = path.join(dir, "requirements.txt");
    if (fs.existsSync(requirements)) fs.writeFileSync(requirements, fs.readFileSync(requirements, "utf8").replace(/^sdks\/.*\n?/m, ""));
    const deps = Object.fromEntries(["@pulumi/pulumi", "@pulumi/command"].map((n) => [n, pinned(n)]));
    fs.writeFileSync(path.join(dir, "package.json"), `${JSON.stringify({ private: true, dependencies: { "pulumi-lvs": `file:${opts.tarball}`, ...deps } }, null, 2)}\n`);
    fs.writeFileSync(path.join(dir, ".npmrc"), "ignore-scripts=true\nfund=false\naudit=false\n");
    execFileSync("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund"], { cwd: dir, env: npmEnv(), stdio: ["ignore", "pipe", "pipe"] });
    const added = pulumiOk(dir, ["package", "add", "./node_modules/pulumi-lvs/plugin"]).output;
    return { dir, added, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}
