// @ts-check
// Runs a local:Command on the machine running Pulumi, as the official provider does:
// `interpreter` (default /bin/sh -c) + the command, in `dir`, with `environment` added.
"use strict";

const { spawn } = require("child_process");
const { describe } = require("./ssh");
const { collector } = require("./output");

function run(inputs, command, { env, stdin, onLine }) {
    const interpreter = inputs.interpreter && inputs.interpreter.length ? inputs.interpreter : ["/bin/sh", "-c"];
    return new Promise((resolve, reject) => {
        const child = spawn(interpreter[0], [...interpreter.slice(1), command], {
            cwd: inputs.dir || process.cwd(),
            env: { ...process.env, ...env },
            stdio: ["pipe", "pipe", "pipe"],
        });
        const output = collector(onLine);
        child.stdout.on("data", output.out);
        child.stderr.on("data", output.err);
        child.on("error", reject);
        child.on("close", (code, signal) => {
            if (code === 0) return resolve(output.result());
            reject(new Error(`exit status ${code ?? signal}: running ${describe(command)}:\n${output.combined()}`));
        });
        child.stdin.end(stdin && stdin.length ? stdin : undefined);
    });
}

module.exports = { run };
