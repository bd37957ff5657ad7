// @ts-check
// Runs a local:Command on the machine running Pulumi, as the official provider does:
// `interpreter` (default /bin/sh -c) + the command, in `dir`, with `environment` added.
"use strict";

const { spawn } = require("child_process");
const { describe } = require("./ssh");

function run(inputs, command, { env, stdin, onLine }) {
    const interpreter = inputs.interpreter && inputs.interpreter.length ? inputs.interpreter : ["/bin/sh", "-c"];
    return new Promise((resolve, reject) => {
        const child = spawn(interpreter[0], [...interpreter.slice(1), command], {
            cwd: inputs.dir || process.cwd(),
            env: { ...process.env, ...env },
            stdio: ["pipe", "pipe", "pipe"],
        });
        let stdout = "", stderr = "", both = "";
        const collect = (which) => (chunk) => {
            const text = chunk.toString("utf8");
            if (which === "out") stdout += text; else stderr += text;
            both += text;
            if (onLine) for (const line of text.split("\n")) if (line) onLine(which, line);
        };
        child.stdout.on("data", collect("out"));
        child.stderr.on("data", collect("err"));
        child.on("error", reject);
        child.on("close", (code, signal) => {
            if (code === 0) return resolve({ stdout: stdout.replace(/\n$/, ""), stderr: stderr.replace(/\n$/, "") });
            reject(new Error(`exit status ${code ?? signal}: running ${describe(command)}:\n${both}`));
        });
        child.stdin.end(stdin && stdin.length ? stdin : undefined);
    });
}

module.exports = { run };
