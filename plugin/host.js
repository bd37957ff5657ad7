// What Pulumi runs for this component package (package.json "main"): the provider of the compiled
// library, with the schema the build made (index.ts and tsconfig.json here are what it read).
require("../dist/plugin/serve").serve();
