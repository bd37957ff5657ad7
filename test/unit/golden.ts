// Golden files: the exact text a renderer must produce. UPDATE_GOLDEN=1 rewrites them (then review the diff).
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";

const dir = path.join(__dirname, "golden");

export function assertGolden(name: string, actual: string): void {
    const file = path.join(dir, name);
    if (process.env.UPDATE_GOLDEN === "1" || !fs.existsSync(file)) {
        fs.writeFileSync(file, actual);
        if (process.env.UPDATE_GOLDEN !== "1") assert.fail(`${name} did not exist: written now, review it and run again`);
        return;
    }
    assert.equal(actual, fs.readFileSync(file, "utf8"), `${name} differs from its golden file (UPDATE_GOLDEN=1 to accept)`);
}
