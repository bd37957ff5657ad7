// The components of the package, as Pulumi's analyzer reads their Args (tsconfig.json beside it).
export { LvsDirectorPair, RealServer, VirtualService } from "../src/index";
