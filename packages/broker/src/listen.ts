import type { Server as HttpServer } from "node:http";
import type { Server } from "node:net";

/** Listens, turning "address in use" into a message that names the port and what wanted it. */
export function listenOn(
  server: Server | HttpServer,
  port: number,
  host: string,
  what: string,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (e: NodeJS.ErrnoException) => {
      server.off("listening", onListening);
      if (e.code === "EADDRINUSE") {
        reject(
          new Error(
            `${what} port ${port} on ${host} is already in use; choose another port or stop what holds it`,
          ),
        );
      } else if (e.code === "EACCES") {
        reject(new Error(`${what} port ${port} on ${host} needs more privileges`));
      } else reject(e);
    };
    const onListening = () => {
      server.off("error", onError);
      resolve();
    };
    server.once("error", onError);
    server.once("listening", onListening);
    server.listen(port, host);
  });
}
