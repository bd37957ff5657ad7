// What Pulumi runs for this component package (package.json "main"). The schema comes from index.ts,
// which names the components for Pulumi's analyzer; the provider itself is the compiled library.
require("../dist/plugin/serve").serve(__dirname);
