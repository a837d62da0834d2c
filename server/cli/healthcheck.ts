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

/**
 * Exit 0 when `url` answers 2xx within 3 s in all; otherwise 1, saying why on stderr.
 * A redirect is not followed (it is not an answer from the server itself).
 */
export function checkReady(url: string): Promise<number> {
  return new Promise((resolve) => {
    let done = false;
    const fail = (why: string) => {
      if (done) return;
      done = true;
      console.error(why);
      resolve(1);
    };
    let target: URL;
    try {
      target = new URL(url);
    } catch {
      return fail(`not reachable: ${url} (not a URL)`);
    }
    if (target.protocol !== "http:" && target.protocol !== "https:") return fail(`not reachable: ${url} (not an http or https URL)`);
    const get = target.protocol === "https:" ? httpsGet : httpGet;
    const timer = setTimeout(() => req.destroy(new Error("no answer within 3 s")), 3000);
    const req = get(target, (res) => {
      const status = res.statusCode ?? 0;
      if (status >= 200 && status < 300) {
        clearTimeout(timer);
        done = true;
        res.resume();
        return resolve(0);
      }
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        if (body.length < 2000) body += chunk;
      });
      res.on("end", () => {
        clearTimeout(timer);
        fail(`not ready: ${status} ${body}`);
      });
      res.on("error", (e) => fail(`not reachable: ${url} (${e.message})`));
    });
    req.on("error", (e) => {
      clearTimeout(timer);
      fail(`not reachable: ${url} (${e.message})`);
    });
  });
}

/**
 * The check without the CLI around it, from the server's own environment
 * (PORT, HOST) or `--url`. Undefined when that is not plain: PORT_FILE or
 * HOST_FILE, a port that is not one, other arguments. The full CLI then
 * reads the configuration as the server does and says what is wrong.
 */
export function quickHealthcheck(args: string[], env: NodeJS.ProcessEnv): Promise<number> | undefined {
  if (args.length === 2 && args[0] === "--url" && args[1]) return checkReady(args[1]);
  if (args.length > 0 || env.PORT_FILE?.trim() || env.HOST_FILE?.trim()) return undefined;
  const port = env.PORT?.trim() || "8080";
  if (!/^\d{1,5}$/.test(port) || Number(port) < 1 || Number(port) > 65535) return undefined;
  return checkReady(`${localBase({ host: env.HOST?.trim() || "0.0.0.0", port: Number(port) })}/readyz`);
}
