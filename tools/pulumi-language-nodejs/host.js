#!/usr/bin/env node
// @ts-check
// A Node.js language host for the Pulumi engine, used only when the official Go binary
// (module github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3) cannot be built here:
// the Go module proxy these machines reach does not serve that module at any version.
//
// It speaks the engine's LanguageRuntime gRPC protocol with the service definitions that ship in
// @pulumi/pulumi, and runs programs the way the official host does: `node <@pulumi/pulumi>/cmd/run`
// with --monitor/--engine/--project/--stack/... flags, and the stack config in PULUMI_CONFIG.
"use strict";

const fs = require("fs");
const path = require("path");
const { spawn } = require("child_process");

const pulumiDir = path.dirname(require.resolve("@pulumi/pulumi/package.json"));
const grpc = require(require.resolve("@grpc/grpc-js", { paths: [pulumiDir] }));
const langrpc = require("@pulumi/pulumi/proto/language_grpc_pb.js");
const langproto = require("@pulumi/pulumi/proto/language_pb.js");
const pluginproto = require("@pulumi/pulumi/proto/plugin_pb.js");

const HOST_VERSION = require("@pulumi/pulumi/package.json").version;
// The exit code cmd/run uses after it has already shown the user an actionable error.
const EXIT_AFTER_LOGGED_ERROR = 32;

/** The program's entry point: ProgramInfo when the engine sends it, else the legacy fields. */
function programLocation(req) {
    const info = req.getInfo();
    if (info && info.getProgramDirectory()) {
        const entry = info.getEntryPoint() || ".";
        return {
            root: info.getRootDirectory() || info.getProgramDirectory(),
            dir: info.getProgramDirectory(),
            program: path.resolve(info.getProgramDirectory(), entry),
            options: info.getOptions() ? info.getOptions().toJavaScript() : {},
        };
    }
    const pwd = req.getPwd() || process.cwd();
    return { root: pwd, dir: pwd, program: path.resolve(pwd, req.getProgram() || "."), options: {} };
}

function runArgs(req, loc, runScript, engineAddress) {
    const args = [runScript, `--monitor=${req.getMonitorAddress()}`, `--engine=${engineAddress}`];
    const flag = (name, value) => value && args.push(`--${name}=${value}`);
    flag("organization", req.getOrganization());
    flag("project", req.getProject());
    flag("stack", req.getStack());
    flag("pwd", req.getPwd() || loc.dir);
    flag("root-directory", loc.root);
    flag("parallel", String(req.getParallel() || ""));
    if (req.getDryrun()) args.push("--dry-run");
    args.push(loc.program, ...req.getArgsList());
    return args;
}

function runEnv(req, options) {
    const config = {};
    req.getConfigMap().forEach((value, key) => (config[key] = value));
    const env = { ...process.env };
    env.PULUMI_CONFIG = JSON.stringify(config);
    env.PULUMI_CONFIG_SECRET_KEYS = JSON.stringify(req.getConfigsecretkeysList());
    env.PULUMI_NODEJS_TYPESCRIPT = options.typescript === false ? "false" : "true";
    if (options.tsconfig) env.PULUMI_NODEJS_TSCONFIG_PATH = String(options.tsconfig);
    return env;
}

function makeService(engineAddress) {
    return {
        handshake(call, cb) {
            cb(null, new langproto.LanguageHandshakeResponse());
        },
        getPluginInfo(call, cb) {
            const info = new pluginproto.PluginInfo();
            info.setVersion(HOST_VERSION);
            cb(null, info);
        },
        getRequiredPlugins(call, cb) {
            cb(null, new langproto.GetRequiredPluginsResponse());
        },
        getRequiredPackages(call, cb) {
            const resp = new langproto.GetRequiredPackagesResponse();
            const info = call.request.getInfo();
            const dir = info ? info.getProgramDirectory() : process.cwd();
            resp.setPackagesList(requiredPackages(dir).map((p) => {
                const dep = new pluginproto.PackageDependency();
                dep.setName(p.name);
                dep.setKind("resource");
                dep.setVersion(p.version);
                if (p.server) dep.setServer(p.server);
                return dep;
            }));
            cb(null, resp);
        },
        about(call, cb) {
            const resp = new langproto.AboutResponse();
            resp.setExecutable(process.execPath);
            resp.setVersion(process.version);
            cb(null, resp);
        },
        getProgramDependencies(call, cb) {
            cb(null, new langproto.GetProgramDependenciesResponse());
        },
        runtimeOptionsPrompts(call, cb) {
            cb(null, new langproto.RuntimeOptionsResponse());
        },
        installDependencies(call) {
            // Dependencies are installed by `npm ci` in this repository, never by the engine.
            call.end();
        },
        run(call, cb) {
            const req = call.request;
            const loc = programLocation(req);
            let runScript;
            try {
                runScript = require.resolve("@pulumi/pulumi/cmd/run", { paths: [loc.dir] });
            } catch (err) {
                const resp = new langproto.RunResponse();
                resp.setError(`cannot find @pulumi/pulumi from ${loc.dir}: run 'npm ci' there first (${err})`);
                return cb(null, resp);
            }
            const nodeArgs = loc.options.nodeargs ? String(loc.options.nodeargs).split(/\s+/).filter(Boolean) : [];
            const child = spawn(process.execPath, [...nodeArgs, ...runArgs(req, loc, runScript, engineAddress)], {
                cwd: req.getPwd() || loc.dir,
                env: runEnv(req, loc.options),
                stdio: ["ignore", "inherit", "inherit"],
            });
            child.on("error", (err) => {
                const resp = new langproto.RunResponse();
                resp.setError(`could not start node: ${err.message}`);
                cb(null, resp);
            });
            child.on("exit", (code, signal) => {
                const resp = new langproto.RunResponse();
                if (code === EXIT_AFTER_LOGGED_ERROR) resp.setBail(true);
                else if (code !== 0) resp.setError(`Program exited with non-zero exit code: ${code ?? signal}`);
                cb(null, resp);
            });
        },
    };
}

/** Resource plugins the program's node_modules declare (package.json "pulumi": { "resource": true }). */
function requiredPackages(dir) {
    const found = new Map();
    for (let d = path.resolve(dir); ; d = path.dirname(d)) {
        const nm = path.join(d, "node_modules");
        if (fs.existsSync(nm)) {
            for (const pkgDir of listPackages(nm)) {
                const meta = readJson(path.join(pkgDir, "package.json"));
                const p = meta && meta.pulumi;
                if (p && p.resource && !found.has(p.name || meta.name)) {
                    found.set(p.name || meta.name, { name: p.name || meta.name, version: p.version || meta.version, server: p.server });
                }
            }
            break;
        }
        if (path.dirname(d) === d) break;
    }
    return [...found.values()];
}

function listPackages(nm) {
    const out = [];
    for (const entry of fs.readdirSync(nm)) {
        if (entry.startsWith(".")) continue;
        const full = path.join(nm, entry);
        if (entry.startsWith("@")) for (const sub of fs.readdirSync(full)) out.push(path.join(full, sub));
        else out.push(full);
    }
    return out;
}

function readJson(file) {
    try {
        return JSON.parse(fs.readFileSync(file, "utf8"));
    } catch {
        return undefined;
    }
}

function main() {
    // The engine starts us as `pulumi-language-nodejs [-flag=value ...] <engine address>`.
    const positional = process.argv.slice(2).filter((a) => !a.startsWith("-"));
    const engineAddress = positional[positional.length - 1] || "";
    const server = new grpc.Server({ "grpc.max_receive_message_length": 400 * 1024 * 1024 });
    server.addService(langrpc.LanguageRuntimeService, makeService(engineAddress));
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, port) => {
        if (err) {
            console.error(`pulumi-language-nodejs: cannot listen: ${err.message}`);
            process.exit(1);
        }
        // The plugin protocol: the first line on stdout is the port the engine dials.
        process.stdout.write(`${port}\n`);
    });
}

main();
