// @ts-check
// Collects a command's stdout and stderr (separately and interleaved, for error messages) and
// passes each line to onLine as it arrives. Results have one trailing newline trimmed, as the
// official provider does.
"use strict";

function collector(onLine) {
    let stdout = "", stderr = "", both = "";
    const take = (which) => (chunk) => {
        const text = chunk.toString("utf8");
        if (which === "out") stdout += text; else stderr += text;
        both += text;
        if (onLine) for (const line of text.split("\n")) if (line) onLine(which, line);
    };
    return {
        out: take("out"),
        err: take("err"),
        result: () => ({ stdout: stdout.replace(/\n$/, ""), stderr: stderr.replace(/\n$/, "") }),
        combined: () => both,
    };
}

module.exports = { collector };
