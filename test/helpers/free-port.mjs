// A free port on loopback, for the Node projects' own `wrangler dev` servers (others may run theirs at the same time).
import { createServer } from "node:net";

export const freePort = () =>
  new Promise((resolve, reject) => {
    const probe = createServer();
    probe.on("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
