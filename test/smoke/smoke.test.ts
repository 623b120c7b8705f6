import { SELF } from "cloudflare:test";
import { expect, it } from "vitest";

it("serves service info", async () => {
  const res = await SELF.fetch("http://127.0.0.1:8787/reg/service/info");
  const body = await res.json();
  console.log(res.status, JSON.stringify(body));
  expect(res.status).toBe(200);
});

it("registers and logs in", async () => {
  const res = await SELF.fetch("http://127.0.0.1:8787/users", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ appId: "my-app-id", username: "alice-smoke", password: "secret-pw", email: "alice@example.com" }),
  });
  const body = await res.json();
  console.log(res.status, JSON.stringify(body));
  const login = await SELF.fetch("http://127.0.0.1:8787/alice-smoke/auth/login", {
    method: "POST",
    headers: { "Content-Type": "application/json", Origin: "http://127.0.0.1:8787" },
    body: JSON.stringify({ appId: "my-app-id", username: "alice-smoke", password: "secret-pw" }),
  });
  const lb = (await login.json()) as { token: string };
  console.log(login.status, JSON.stringify(lb));
  const acc = await SELF.fetch("http://127.0.0.1:8787/alice-smoke/account", { headers: { Authorization: lb.token } });
  console.log(acc.status, JSON.stringify(await acc.json()));
});
