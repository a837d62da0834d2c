import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ConfigError, loadConfig, senderWarning } from "./config.js";
import { makeCert } from "./test/smtp-upstream.js";

/** The problems loadConfig refuses `env` with (fails the test if it accepts it). */
function refusal(env: NodeJS.ProcessEnv): string {
  try {
    loadConfig(env);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as ConfigError).message;
  }
  throw new Error(`accepted ${JSON.stringify(env)}`);
}

const dir = mkdtempSync(path.join(tmpdir(), "roster-config-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
// A real certificate and key (openssl), and another pair whose key does not match it.
const pem = makeCert();
const otherPem = makeCert();
const file = (name: string, content: string) => {
  const p = path.join(dir, name);
  writeFileSync(p, content);
  return p;
};

describe("loadConfig defaults", () => {
  it("starts with nothing set", () => {
    const { config, warnings } = loadConfig({});
    expect(config).toEqual({
      port: 8080,
      host: "0.0.0.0",
      dataDir: path.resolve("./data"),
      baseUrl: "http://localhost:8080",
      secureCookies: false,
      mail: { transport: "capture", smtpUrl: undefined, smtpCaFile: undefined, from: `Roster <no-reply@${hostname() || "localhost"}>` },
      relay: { port: undefined, auth: [], allow: [], tlsCertFile: undefined, tlsKeyFile: undefined },
      bootstrap: undefined,
      trustProxy: false,
      logLevel: "info",
      backupKeep: 7,
      mailRetentionDays: 30,
      metricsAllow: ["127.0.0.1", "::1"],
    });
    expect(warnings).toEqual([]);
  });

  it("reads the mail retention and the metrics allow list, and refuses bad ones", () => {
    expect(loadConfig({ ROSTER_MAIL_RETENTION_DAYS: "90", ROSTER_METRICS_ALLOW: "10.0.0.0/8, 192.168.1.5" }).config).toMatchObject({ mailRetentionDays: 90, metricsAllow: ["10.0.0.0/8", "192.168.1.5"] });
    expect(() => loadConfig({ ROSTER_MAIL_RETENTION_DAYS: "0" })).toThrow(/ROSTER_MAIL_RETENTION_DAYS/);
    expect(() => loadConfig({ ROSTER_METRICS_ALLOW: "everyone" })).toThrow(/ROSTER_METRICS_ALLOW/);
  });

  it("treats an empty variable as unset", () => {
    expect(loadConfig({ PORT: "", ROSTER_BASE_URL: "" }).config).toMatchObject({ port: 8080, baseUrl: "http://localhost:8080" });
  });

  it("reads every variable", () => {
    const { config } = loadConfig({
      PORT: "9000",
      HOST: "127.0.0.1",
      ROSTER_DATA_DIR: "/srv/roster",
      ROSTER_BASE_URL: "https://roster.corp.test/",
      ROSTER_SMTP_URL: "smtps://roster:secret@mail.corp.test:465",
      ROSTER_SMTP_CA_FILE: pem.certFile,
      ROSTER_MAIL_FROM: "Roster <roster@corp.test>",
      ROSTER_RELAY_PORT: "2525",
      ROSTER_RELAY_AUTH: "chat:pa:ss, bot:x",
      ROSTER_RELAY_ALLOW: "10.0.0.0/8, 127.0.0.1,::1",
      ROSTER_RELAY_TLS_CERT_FILE: pem.certFile,
      ROSTER_RELAY_TLS_KEY_FILE: pem.keyFile,
      ROSTER_ADMIN_EMAIL: "root@corp.test",
      ROSTER_ADMIN_PASSWORD: "a long admin secret",
      ROSTER_ORG_NAME: "Corp",
      ROSTER_TRUST_PROXY: "yes",
      ROSTER_LOG_LEVEL: "debug",
      ROSTER_BACKUP_KEEP: "0",
    });
    expect(config).toMatchObject({
      port: 9000,
      host: "127.0.0.1",
      dataDir: "/srv/roster",
      baseUrl: "https://roster.corp.test",
      secureCookies: true,
      mail: { transport: "smtp", smtpUrl: "smtps://roster:secret@mail.corp.test:465", from: "Roster <roster@corp.test>" },
      relay: { port: 2525, auth: [{ user: "chat", password: "pa:ss" }, { user: "bot", password: "x" }], allow: ["10.0.0.0/8", "127.0.0.1", "::1"] },
      bootstrap: { email: "root@corp.test", password: "a long admin secret", organizationName: "Corp" },
      trustProxy: true,
      logLevel: "debug",
      backupKeep: 0,
    });
  });

  it.each([
    [{}, "capture"],
    [{ ROSTER_SMTP_URL: "smtp://mail.corp.test" }, "smtp"],
    [{ ROSTER_MAIL_TRANSPORT: "direct" }, "direct"],
    [{ ROSTER_MAIL_TRANSPORT: "capture", ROSTER_SMTP_URL: "smtp://mail.corp.test" }, "capture"],
  ])("mail transport for %j is %s", (env, transport) => {
    expect(loadConfig(env).config.mail.transport).toBe(transport);
  });

  it("names the organization of the bootstrap owner 'My organization' unless ROSTER_ORG_NAME says otherwise", () => {
    expect(loadConfig({ ROSTER_ADMIN_EMAIL: "root@corp.test", ROSTER_ADMIN_PASSWORD: "a long admin secret" }).config.bootstrap?.organizationName).toBe("My organization");
  });
});

describe("loadConfig refuses a bad value, naming the variable and what it expects", () => {
  it.each([
    ["PORT", { PORT: "http" }],
    ["PORT", { PORT: "70000" }],
    ["PORT", { PORT: "-1" }],
    ["PORT", { PORT: "80.5" }],
    // Regression: Number(" ") is 0 and Number("1e3") 1000, both taken as ports.
    ["PORT", { PORT: " " }],
    ["PORT", { PORT: "1e3" }],
    ["ROSTER_BASE_URL", { ROSTER_BASE_URL: "ftp://roster.corp.test" }],
    ["ROSTER_BASE_URL", { ROSTER_BASE_URL: "roster.corp.test" }],
    ["ROSTER_MAIL_TRANSPORT", { ROSTER_MAIL_TRANSPORT: "sendmail" }],
    ["ROSTER_SMTP_URL", { ROSTER_SMTP_URL: "http://mail.corp.test" }],
    ["ROSTER_SMTP_URL", { ROSTER_MAIL_TRANSPORT: "smtp" }],
    ["ROSTER_SMTP_URL", { ROSTER_SMTP_URL: "smtp://user:p@ss#1@mail.corp.test:587" }],
    ["ROSTER_SMTP_URL", { ROSTER_SMTP_URL: "smtp://user:pa?ss@mail.corp.test:587" }],
    ["ROSTER_BASE_URL", { ROSTER_BASE_URL: "https://admin@roster.corp.test" }],
    ["ROSTER_BASE_URL", { ROSTER_BASE_URL: "https://roster.corp.test/?x=1" }],
    ["ROSTER_BASE_URL", { ROSTER_BASE_URL: "https://corp.test/roster" }],
    ["ROSTER_SMTP_CA_FILE", { ROSTER_SMTP_CA_FILE: "/nonexistent/ca.pem" }],
    ["ROSTER_MAIL_FROM", { ROSTER_MAIL_FROM: "x" }],
    ["ROSTER_MAIL_FROM", { ROSTER_MAIL_FROM: "Roster without an address" }],
    ["ROSTER_MAIL_FROM", { ROSTER_MAIL_FROM: "Roster <not-an-address>" }],
    ["ROSTER_RELAY_PORT", { ROSTER_RELAY_PORT: "smtp" }],
    ["ROSTER_RELAY_AUTH", { ROSTER_RELAY_AUTH: "chat" }],
    ["ROSTER_RELAY_AUTH", { ROSTER_RELAY_AUTH: "chat:" }],
    ["ROSTER_RELAY_ALLOW", { ROSTER_RELAY_ALLOW: "10.0.0.0/33" }],
    ["ROSTER_RELAY_ALLOW", { ROSTER_RELAY_ALLOW: "mail.corp.test" }],
    ["ROSTER_RELAY_TLS_KEY_FILE", { ROSTER_RELAY_TLS_CERT_FILE: file("only-cert.pem", "CERT") }],
    ["ROSTER_RELAY_TLS_CERT_FILE", { ROSTER_RELAY_TLS_CERT_FILE: "/nonexistent/cert.pem", ROSTER_RELAY_TLS_KEY_FILE: file("k.pem", "KEY") }],
    // Files that exist but hold no certificate, or a key of another certificate: refused at start, not at the first TLS client.
    ["ROSTER_RELAY_TLS_CERT_FILE", { ROSTER_RELAY_TLS_CERT_FILE: file("not-pem.pem", "CERT"), ROSTER_RELAY_TLS_KEY_FILE: pem.keyFile }],
    ["ROSTER_RELAY_TLS_CERT_FILE", { ROSTER_RELAY_TLS_CERT_FILE: pem.certFile, ROSTER_RELAY_TLS_KEY_FILE: otherPem.keyFile }],
    ["ROSTER_SMTP_CA_FILE", { ROSTER_SMTP_CA_FILE: file("not-a-ca.pem", "our CA, honest") }],
    ["ROSTER_SMTP_CA_FILE", { ROSTER_SMTP_CA_FILE: file("broken-ca.pem", "-----BEGIN CERTIFICATE-----\nnot base64 at all\n-----END CERTIFICATE-----\n") }],
    ["ROSTER_ADMIN_EMAIL", { ROSTER_ADMIN_EMAIL: "root", ROSTER_ADMIN_PASSWORD: "a long admin secret" }],
    ["ROSTER_ADMIN_PASSWORD", { ROSTER_ADMIN_EMAIL: "root@corp.test" }],
    ["ROSTER_ADMIN_EMAIL", { ROSTER_ADMIN_PASSWORD: "a long admin secret" }],
    ["ROSTER_ADMIN_PASSWORD", { ROSTER_ADMIN_EMAIL: "root@corp.test", ROSTER_ADMIN_PASSWORD: "short" }],
    ["ROSTER_ORG_NAME", { ROSTER_ORG_NAME: "x".repeat(101) }],
    ["ROSTER_ORG_NAME", { ROSTER_ORG_NAME: "   " }],
    ["ROSTER_TRUST_PROXY", { ROSTER_TRUST_PROXY: "maybe" }],
    ["ROSTER_LOG_LEVEL", { ROSTER_LOG_LEVEL: "verbose" }],
    ["ROSTER_BACKUP_KEEP", { ROSTER_BACKUP_KEEP: "-1" }],
    ["ROSTER_BACKUP_KEEP", { ROSTER_BACKUP_KEEP: "many" }],
    ["ROSTER_BACKUP_KEEP", { ROSTER_BACKUP_KEEP: "1.5" }],
  ] as [string, NodeJS.ProcessEnv][])("%s in %j", (name, env) => {
    const message = refusal(env);
    expect(message).toMatch(new RegExp(`^  - ${name}: .*expected`, "m"));
  });

  it.each([
    "smtp://it.mail@corp.test:s3cret@mail.corp.test:587",
    "smtps://mail.corp.test?tls.rejectUnauthorized=false",
    "smtp://mail.corp.test:25?requireTLS=true",
    "smtp://user:p%23ss%3F@mail.corp.test:587",
  ])("takes the SMTP URL %s (a mailbox as user name, nodemailer's options in the query, encoded characters)", (url) => {
    expect(loadConfig({ ROSTER_SMTP_URL: url }).config.mail.smtpUrl).toBe(url);
  });

  it("takes a base URL with trailing slashes, without them", () => {
    expect(loadConfig({ ROSTER_BASE_URL: "https://roster.corp.test//" }).config.baseUrl).toBe("https://roster.corp.test");
  });

  it("never repeats a secret in its message", () => {
    const message = refusal({ ROSTER_ADMIN_EMAIL: "root@corp.test", ROSTER_ADMIN_PASSWORD: "short", ROSTER_RELAY_AUTH: "nocolon-secret", ROSTER_SMTP_URL: "http://u:hunter2@mail" });
    expect(message).not.toMatch(/short"|nocolon-secret|hunter2/);
  });

  it("lists every problem at once", () => {
    const message = refusal({ PORT: "x", ROSTER_LOG_LEVEL: "loud", ROSTER_TRUST_PROXY: "perhaps" });
    expect(message.match(/^ {2}- /gm)).toHaveLength(3);
  });
});

describe("NAME_FILE variables", () => {
  it("read the value from the file, without its final newline", () => {
    const { config } = loadConfig({
      ROSTER_ADMIN_EMAIL: "root@corp.test",
      ROSTER_ADMIN_PASSWORD_FILE: file("admin-password", "a long admin secret\n"),
      ROSTER_SMTP_URL_FILE: file("smtp-url", "smtp://roster:secret@mail.corp.test\r\n"),
      PORT_FILE: file("port", "9090"),
    });
    expect(config.bootstrap?.password).toBe("a long admin secret");
    expect(config.mail).toMatchObject({ transport: "smtp", smtpUrl: "smtp://roster:secret@mail.corp.test" });
    expect(config.port).toBe(9090);
  });

  it("are checked like the variable itself", () => {
    expect(refusal({ PORT_FILE: file("bad-port", "eighty") })).toMatch(/^ {2}- PORT: .*expected/m);
  });

  it("refuse a file that cannot be read, naming NAME_FILE", () => {
    expect(refusal({ ROSTER_ADMIN_EMAIL: "root@corp.test", ROSTER_ADMIN_PASSWORD_FILE: "/nonexistent/secret" })).toMatch(/^ {2}- ROSTER_ADMIN_PASSWORD_FILE: cannot read .*expected/m);
  });

  it("refuse NAME and NAME_FILE both set", () => {
    expect(refusal({ ROSTER_SMTP_URL: "smtp://a", ROSTER_SMTP_URL_FILE: file("smtp-url-2", "smtp://b") })).toMatch(/ROSTER_SMTP_URL and ROSTER_SMTP_URL_FILE are both set/);
  });
});

describe("unknown ROSTER_* variables", () => {
  it("are warned about, not refused; other variables are none of our business", () => {
    const { warnings } = loadConfig({ ROSTER_SMPT_URL: "smtp://typo", ROSTER_NOPE_FILE: "/x", PATH: "/usr/bin", HOME: "/root" });
    expect(warnings).toEqual(["unknown variable ROSTER_SMPT_URL is ignored", "unknown variable ROSTER_NOPE_FILE is ignored"]);
  });
});

describe("start-up warnings about mail", () => {
  it("warn when mail would leave from a sender without a full domain name, and not in capture mode or with a real one", () => {
    // The default sender is no-reply@<hostname>; in a container the hostname is its id.
    expect(senderWarning({ from: "Roster <no-reply@3f2a9c1b7d4e>", transport: "smtp" })).toMatch(/"3f2a9c1b7d4e" is not a full domain name.*ROSTER_MAIL_FROM/);
    expect(senderWarning({ from: "Roster <no-reply@3f2a9c1b7d4e>", transport: "capture" })).toBeNull();
    expect(senderWarning({ from: "Roster <roster@corp.example>", transport: "direct" })).toBeNull();
    expect(loadConfig({ ROSTER_SMTP_URL: "smtp://mail.corp.example", ROSTER_MAIL_FROM: "Roster <roster@corp.example>" }).warnings).toEqual([]);
  });

  it("warn when the relay listens but no client may use it", () => {
    expect(loadConfig({ ROSTER_RELAY_PORT: "2525" }).warnings.join("\n")).toMatch(/refuses every client/);
    expect(loadConfig({ ROSTER_RELAY_PORT: "2525", ROSTER_RELAY_ALLOW: "10.0.0.0/8" }).warnings).toEqual([]);
  });
});
