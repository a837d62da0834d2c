import { createTestApp, registerMember, setupOwner, type TestApp } from "./harness.js";
import { expectProblem, fromIp, loginRequest } from "./api.js";

/** What the log-in throttle's tests share: an owner and a member "ken", and failed log ins. */
export const WRONG = "not the password";

export async function withMember() {
  const t = createTestApp();
  await setupOwner(t);
  await registerMember(t, "ken@acme.test", { userId: "ken" });
  return t;
}

/** Fails `n` log ins, each from its own address, and expects each to be checked (401). */
export async function fail(t: TestApp, login: string, n: number) {
  for (let i = 0; i < n; i++) await expectProblem(await loginRequest(t, login, WRONG, fromIp(`10.1.${n}.${i}`)), 401, "invalid_credentials");
}

export async function retryAfter(r: Response): Promise<number> {
  await expectProblem(r, 429, "rate_limited");
  return Number(r.headers.get("retry-after"));
}

