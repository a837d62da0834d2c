// Seeds a fresh data directory's database straight through SQLite, before the server starts.
// Every account shares ONE real Argon2id hash made with the production parameters:
// hashing 100,000 passwords would take an hour and measure nothing the bench is about.
import path from "node:path";
import { performance } from "node:perf_hooks";
import { root } from "./proc.mjs";
import { tsImport } from "tsx/esm/api";

/** A module of the server's sources (through tsx): the bench seeds with the server's own code; it runs the bundle. */
export const serverModule = (p) => tsImport(path.join(root, "server", p), import.meta.url);

export const PASSWORD = "Roster-bench-パスワード-2026";
export const ORG_DOMAIN = "bench.example";

/** mulberry32: a small seeded generator, so every run seeds the same data. */
export function rng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  next.int = (n) => Math.floor(next() * n);
  next.pick = (list) => list[Math.floor(next() * list.length)];
  next.hex = (n) => {
    let s = "";
    for (let i = 0; i < n; i++) s += Math.floor(next() * 16).toString(16);
    return s;
  };
  return next;
}

/** A UUIDv7 whose time is `ms`, as the server's ids are: ids sort by creation. */
export function uuidv7At(ms, r) {
  const t = ms.toString(16).padStart(12, "0");
  return `${t.slice(0, 8)}-${t.slice(8, 12)}-7${r.hex(3)}-${(8 + r.int(4)).toString(16)}${r.hex(3)}-${r.hex(12)}`;
}

// [romaji, kanji]
const jaFamily = [
  ["sato", "佐藤"], ["suzuki", "鈴木"], ["takahashi", "高橋"], ["tanaka", "田中"], ["ito", "伊藤"], ["watanabe", "渡辺"], ["yamamoto", "山本"],
  ["nakamura", "中村"], ["kobayashi", "小林"], ["kato", "加藤"], ["yoshida", "吉田"], ["yamada", "山田"], ["sasaki", "佐々木"], ["yamaguchi", "山口"],
  ["matsumoto", "松本"], ["inoue", "井上"], ["kimura", "木村"], ["hayashi", "林"], ["shimizu", "清水"], ["saito", "斎藤"], ["yamazaki", "山崎"],
  ["mori", "森"], ["ikeda", "池田"], ["hashimoto", "橋本"], ["abe", "阿部"], ["ishikawa", "石川"], ["ogawa", "小川"], ["fujita", "藤田"],
  ["okada", "岡田"], ["goto", "後藤"],
];
const jaGiven = [
  ["shota", "翔太"], ["haruto", "陽翔"], ["ren", "蓮"], ["yuto", "悠斗"], ["sota", "颯太"], ["daiki", "大輝"], ["takumi", "拓海"], ["kenta", "健太"],
  ["hiroshi", "博"], ["takeshi", "武"], ["yui", "結衣"], ["hina", "陽菜"], ["sakura", "さくら"], ["misaki", "美咲"], ["aoi", "葵"], ["yuna", "結菜"],
  ["haruka", "遥"], ["mei", "芽依"], ["nanami", "七海"], ["ayaka", "彩花"], ["kaori", "香織"], ["yoko", "陽子"], ["naoki", "直樹"], ["ryo", "亮"],
  ["kazuki", "和樹"],
];
const enFamily = [
  "smith", "johnson", "williams", "brown", "jones", "garcia", "miller", "davis", "wilson", "anderson", "taylor", "thomas", "moore", "martin",
  "jackson", "thompson", "white", "harris", "clark", "lewis", "robinson", "walker", "young", "allen", "king", "wright", "scott", "green", "baker", "adams",
];
const enGiven = [
  "james", "mary", "robert", "patricia", "john", "jennifer", "michael", "linda", "david", "elizabeth", "william", "barbara", "richard", "susan",
  "joseph", "jessica", "thomas", "sarah", "chris", "karen", "daniel", "emily", "matthew", "olivia", "andrew", "sophia", "ryan", "grace", "kevin", "chloe",
];
const departments = ["Sales", "Engineering", "Support", "Marketing", "Finance", "HR", "Legal", "Operations", "営業部", "開発部", "総務部"];
const cities = ["Tokyo", "Osaka", "Nagoya", "Fukuoka", "Sapporo", "London", "New York", "Singapore"];
const locations = ["Tokyo", "Osaka", "Nagoya", "Fukuoka", "Sapporo", "Yokohama", "Kyoto", "London", "New York", "Singapore", "東京都港区", "大阪府大阪市", ""];
const statusMessages = ["", "", "", "In a meeting until 3 pm", "WFH today", "会議中", "出張中です", "Out of office — back Monday", "🎉 new project!", "休暇中", "Focus time"];
const personalDomains = ["mail.example", "post.example", "example.net"];
const cap = (s) => s.charAt(0).toUpperCase() + s.slice(1);

/**
 * The accounts, generated one at a time: realistic userIds, emails and
 * nicknames (Japanese and English), groups like "Sales/Tokyo/Team 3",
 * mostly active. Index 0 is the owner.
 */
export function* generateAccounts(count, { orgId, hash, now, seed = 7, idPrefix = "" }) {
  const r = rng(seed);
  const span = 3 * 365 * 24 * 3600_000;
  for (let n = 0; n < count; n++) {
    const ja = r() < 0.6;
    const [fam, famKanji] = ja ? r.pick(jaFamily) : [r.pick(enFamily), ""];
    const [giv, givKanji] = ja ? r.pick(jaGiven) : [r.pick(enGiven), ""];
    const suffix = `${idPrefix}${n}`;
    const style = r.int(4);
    let name = style === 0 ? `${giv}.${fam}` : style === 1 ? `${giv[0]}${fam}` : style === 2 ? `${fam}-${giv}` : `${fam}_${giv[0]}`;
    name = name.slice(0, 31 - suffix.length);
    const userId = n === 0 && !idPrefix ? "owner" : `${name}${style === 0 ? "." : ""}${suffix}`;
    const personal = n > 0 && r() < 0.1;
    const domain = personal ? r.pick(personalDomains) : ORG_DOMAIN;
    const noEmail = n > 0 && !personal && r() < 0.02;
    const local = r() < 0.5 ? `${giv}.${fam}${suffix}` : `${giv[0]}${fam}.${suffix}`;
    const email = noEmail ? null : n === 0 && !idPrefix ? `owner@${ORG_DOMAIN}` : `${local}@${domain}`;
    const nickname = r() < 0.08 ? "" : ja ? (r() < 0.7 ? `${famKanji}${givKanji}` : `${famKanji} ${givKanji}`) : r() < 0.8 ? `${cap(giv)} ${cap(fam)}` : cap(giv);
    const p = r();
    let status = p < 0.92 ? "active" : p < 0.95 ? "disabled" : p < 0.97 ? "invited" : p < 0.99 ? "pending" : "awaiting_approval";
    if (n === 0 || noEmail) status = n === 0 ? "active" : "invited";
    const type = n === 0 && !idPrefix ? "owner" : n <= 5 && !idPrefix ? "admin" : "general";
    const createdAt = now - span + Math.floor((span * n) / count) - 24 * 3600_000;
    const group = r() < 0.05 ? "" : `${r.pick(departments)}/${r.pick(cities)}/Team ${1 + r.int(12)}`;
    yield {
      id: uuidv7At(createdAt, r),
      organizationId: personal ? null : orgId,
      userId,
      email,
      emailLower: email?.toLowerCase() ?? null,
      passwordHash: status === "invited" ? null : hash,
      type,
      status,
      nickname,
      groupName: personal ? "" : group,
      gender: r.pick(["unknown", "female", "male", "other", "unknown"]),
      birthDate: r() < 0.5 ? null : `${1960 + r.int(45)}-${String(1 + r.int(12)).padStart(2, "0")}-${String(1 + r.int(28)).padStart(2, "0")}`,
      location: r.pick(locations),
      statusMessage: r.pick(statusMessages),
      language: ja ? "ja" : "en",
      friendPolicy: r() < 0.85 ? "need_confirm" : r() < 0.5 ? "allow_any" : "deny_any",
      friendingForbidden: r() < 0.01 ? 1 : 0,
      pushOffline: r() < 0.9 ? 1 : 0,
      level: r.int(5),
      role: r.int(3),
      createdAt,
      updatedAt: createdAt + r.int(30 * 24 * 3600_000),
      lastLoginAt: status === "active" && r() < 0.8 ? now - r.int(90 * 24 * 3600_000) : null,
      emailVerifiedAt: email && (status === "active" || status === "disabled") ? createdAt + 60_000 : null,
    };
  }
}

/** Substrings (3–5 characters) that occur in the seeded names: what an admin types. */
function searchTerms(samples, r, count = 24) {
  const terms = new Set();
  const ja = samples.filter((a) => /[\u3040-\u30ff\u4e00-\u9fff]/.test(a.nickname));
  const take = (s) => {
    const chars = [...s];
    if (chars.length < 3) return;
    const len = Math.min(chars.length, 3 + r.int(3));
    const at = r.int(chars.length - len + 1);
    const term = chars.slice(at, at + len).join("");
    // A window across a space is still a substring, but not one the trigram index alone answers: skip it.
    if (!/\s/.test(term)) terms.add(term);
  };
  for (let i = 0; terms.size < 8 && i < 500 && ja.length; i++) take(r.pick(ja).nickname);
  for (let i = 0; terms.size < count && i < 2000; i++) {
    const a = r.pick(samples);
    const field = r.int(3);
    // The name part of the userId or email, not the numeric suffix or the domain every row shares.
    if (field === 0) take(a.userId.replace(/[._-]?\d+$/, ""));
    else if (field === 1 && a.email) take(a.email.slice(0, a.email.indexOf("@")).replace(/\.?\d+$/, ""));
    else take(a.nickname);
  }
  return [...terms];
}

/**
 * Creates the database in `dataDir` (migrations applied by the server's own
 * openDatabase), one organization owning ORG_DOMAIN, and `users` accounts in
 * one transaction. Returns what the scenarios need.
 */
export async function seed(dataDir, users) {
  const { openDatabase, databaseFile } = await serverModule("db/client.ts");
  const { argon2Hasher } = await serverModule("auth/password.ts");
  const t0 = performance.now();
  const hash = await argon2Hasher().hash(PASSWORD);
  const hashMs = performance.now() - t0;

  const t1 = performance.now();
  const db = openDatabase(databaseFile(dataDir));
  const sqlite = db.$client;
  const now = Date.now();
  const r = rng(11);
  const orgId = uuidv7At(now - 3 * 365 * 24 * 3600_000 - 2 * 24 * 3600_000, r);
  const insert = sqlite.prepare(`INSERT INTO accounts (id, organization_id, user_id, email, email_lower, password_hash, must_change_password, type, status,
    nickname, avatar_url, group_name, gender, birth_date, location, status_message, language, friend_policy, friending_forbidden, push_offline,
    level, role, created_at, updated_at, last_login_at, email_verified_at)
    VALUES (@id, @organizationId, @userId, @email, @emailLower, @passwordHash, 0, @type, @status, @nickname, '', @groupName, @gender, @birthDate,
    @location, @statusMessage, @language, @friendPolicy, @friendingForbidden, @pushOffline, @level, @role, @createdAt, @updatedAt, @lastLoginAt, @emailVerifiedAt)`);
  const samples = [];
  const candidates = [];
  const loginUsers = [];
  let owner;
  sqlite.transaction(() => {
    sqlite.prepare("INSERT INTO organizations (id, name, admin_limit, pending_limit, created_at, updated_at) VALUES (?, ?, 10, 50, ?, ?)").run(orgId, "Bench 株式会社", now, now);
    sqlite.prepare("INSERT INTO organization_domains (domain, organization_id, created_at) VALUES (?, ?, ?)").run(ORG_DOMAIN, orgId, now);
    let n = 0;
    for (const a of generateAccounts(users, { orgId, hash, now })) {
      insert.run(a);
      if (n === 0) owner = a;
      if (n % 97 === 3) samples.push(a);
      if (n % 10 === 3 && a.status === "active" && a.email && a.type === "general") candidates.push(a);
      n++;
    }
  })();
  // Accounts that can log in, spread over the table; half log in by userId, half by email.
  const step = Math.max(1, Math.floor(candidates.length / 20));
  for (let i = 0; i < candidates.length && loginUsers.length < 20; i += step) loginUsers.push(loginUsers.length % 2 ? candidates[i].email : candidates[i].userId);
  const counts = sqlite.prepare("SELECT count(*) AS accounts, sum(status = 'active') AS active FROM accounts").get();
  const fts = sqlite.prepare("SELECT count(*) AS n FROM accounts_fts").get().n;
  // No ANALYZE: the server's own databases have no statistics either, and the planner must do without.
  sqlite.pragma("wal_checkpoint(TRUNCATE)");
  db.$client.close();
  const insertMs = performance.now() - t1;
  return {
    owner: { userId: owner.userId, email: owner.email },
    loginUsers,
    terms: searchTerms(samples, rng(13)),
    hash,
    orgId,
    stats: { accounts: counts.accounts, active: counts.active, fts_rows: fts, hash_ms: Math.round(hashMs), insert_ms: Math.round(insertMs) },
  };
}

/** A CSV of `count` new accounts for the import (no passwords: each gets a setup link by mail). */
export function importCsv(count, orgId) {
  const rows = ["userId,email,nickname,groupName,language,location,statusMessage"];
  const q = (s) => (/[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s);
  for (const a of generateAccounts(count, { orgId, hash: null, now: Date.now(), seed: 99, idPrefix: "i" })) {
    rows.push([a.userId, a.email ?? "", a.nickname, a.groupName, a.language, a.location, a.statusMessage].map(q).join(","));
  }
  return rows.join("\r\n") + "\r\n";
}
