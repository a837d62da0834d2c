import { get as httpGet } from "node:http";
import { get as httpsGet } from "node:https";

/**
 * `roster healthcheck`: the image's HEALTHCHECK, run every 10 s. It loads
 * only Node's HTTP client: started through the whole CLI (the database
 * layer, the services, drizzle), each check took 360 MB and most of a
 * second of CPU, every ten seconds, on an idle server.
 */

/** Where this container's server answers: HOST, or loopback when it listens on every address. */
export function localBase(o: { host: string; port: number }): string {
  const host = o.host === "0.0.0.0" || o.host === "::" || o.host === "" ? "127.0.0.1" : o.host;
  return `http://${host.includes(":") ? `[${host}]` : host}:${o.port}`;
}

/** Exit 0 when `url` answers 2xx within 3 s; otherwise 1, saying why on stderr. */
export function checkReady(url: string): Promise<number> {
  return new Promise((resolve) => {
    const fail = (why: string) => {
      console.error(why);
      resolve(1);
    };
    let target: URL;
    try {
      target = new URL(url);
    } catch {
      return fail(`not reachable: ${url} (not a URL)`);
    }
    const get = target.protocol === "https:" ? httpsGet : httpGet;
    const req = get(target, { timeout: 3000 }, (res) => {
      const status = res.statusCode ?? 0;
      if (status >= 200 && status < 300) {
        res.resume();
        return resolve(0);
      }
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        if (body.length < 2000) body += chunk;
      });
      res.on("end", () => fail(`not ready: ${status} ${body}`));
      res.on("error", (e) => fail(`not reachable: ${url} (${e.message})`));
    });
    req.on("timeout", () => req.destroy(new Error("no answer within 3 s")));
    req.on("error", (e) => fail(`not reachable: ${url} (${e.message})`));
  });
}

/**
 * The check without the CLI around it, from the server's own environment
 * (PORT, HOST) or `--url`. Undefined when the environment is not plainly
 * valid: the full CLI then reads it and says what is wrong.
 */
export function quickHealthcheck(args: string[], env: NodeJS.ProcessEnv): Promise<number> | undefined {
  if (args.length === 2 && args[0] === "--url" && args[1]) return checkReady(args[1]);
  if (args.length > 0) return undefined;
  const port = env.PORT?.trim() || "8080";
  if (!/^\d{1,5}$/.test(port) || Number(port) < 1 || Number(port) > 65535) return undefined;
  return checkReady(`${localBase({ host: env.HOST?.trim() || "0.0.0.0", port: Number(port) })}/readyz`);
}
