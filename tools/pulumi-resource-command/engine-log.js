// @ts-check
// Sends command output to the engine's Log RPC, attached to the resource's URN, the way the
// official provider streams a command's output under the resource in `pulumi up`.
"use strict";

const path = require("path");

const pulumiDir = path.dirname(require.resolve("@pulumi/pulumi/package.json"));
const grpc = require(require.resolve("@grpc/grpc-js", { paths: [pulumiDir] }));
const enginerpc = require("@pulumi/pulumi/proto/engine_grpc_pb.js");
const engineproto = require("@pulumi/pulumi/proto/engine_pb.js");

/** @param {string | undefined} address */
function engineLogger(address) {
    const client = address ? new enginerpc.EngineClient(address, grpc.credentials.createInsecure()) : undefined;
    /** @param {string} urn @param {string} message @param {"info"|"warning"} level */
    return function log(urn, message, level = "info") {
        if (!client) return Promise.resolve();
        const req = new engineproto.LogRequest();
        req.setSeverity(level === "warning" ? engineproto.LogSeverity.WARNING : engineproto.LogSeverity.INFO);
        req.setMessage(message);
        req.setUrn(urn);
        return new Promise((resolve) => client.log(req, () => resolve(undefined)));
    };
}

module.exports = { engineLogger };
