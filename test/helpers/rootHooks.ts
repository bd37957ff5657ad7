// Root hooks of every mocha run (.mocharc.json): after each test, whatever it did, the background processes
// it left running (lab/background.ts: request loops, held connections, samplers) are stopped, so a failed
// step leaks no loop on a lab host and mocha can exit.
import { stopBackground } from "../../lab/background";

export const mochaHooks = {
    async afterEach(): Promise<void> {
        const stopped = await stopBackground();
        if (stopped > 0) console.log(`      (stopped ${stopped} background process${stopped === 1 ? "" : "es"} the test left running)`);
    },
};
