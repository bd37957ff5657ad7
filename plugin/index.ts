// The components of the package, as Pulumi's analyzer reads their Args when the package is built
// (scripts/build.js, with tsconfig.json beside it). Not part of the published package.
export { LvsDirectorPair, RealServer, VirtualService, VirtualServiceSet } from "../src/index";
