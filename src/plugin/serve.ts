// Runs the component package's provider: plugin/host.js calls this when Pulumi starts the plugin.
import * as fs from "fs";
import * as path from "path";
import { main } from "@pulumi/pulumi/provider";
import { LvsComponentProvider } from "./componentProvider";

/** The schema scripts/build.js wrote beside this file. */
export const SCHEMA_FILE = path.join(__dirname, "schema.json");

export function serve(): Promise<void> {
    return main(new LvsComponentProvider(fs.readFileSync(SCHEMA_FILE, "utf8")), process.argv.slice(2));
}
