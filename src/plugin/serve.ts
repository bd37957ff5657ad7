// Runs the component package's provider: plugin/host.js calls this when Pulumi starts the plugin.
import { main } from "@pulumi/pulumi/provider";
import { LvsComponentProvider } from "./componentProvider";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const manifest = require("../../package.json") as { version: string; description: string };

export function serve(pluginDir: string): Promise<void> {
    return main(new LvsComponentProvider(pluginDir, manifest.version, manifest.description), process.argv.slice(2));
}
