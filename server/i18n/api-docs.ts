import type { Operation } from "../http/openapi.js";
import type { Lang } from "./index.js";

/**
 * The words of the API reference page (/api/docs). The operations' English
 * summaries and response descriptions live in server/http/openapi.ts, where
 * /api/openapi.json takes them from; their Japanese is here, so the
 * machine-readable document stays English. docs.test.ts checks that every
 * operation, tag and response description has its Japanese.
 */
export interface ApiDocsText {
  /** {version} is text; {openapi}, {problemType}, {code}, {listShape}, {limit} and {cursor} become a link and code in the page. */
  intro: string;
  toc: string;
  /** Ends an operation's summary. */
  fullStop: string;
  /** Who may call the operation: {auth} is one of `auth`. */
  needs: string;
  auth: Partial<Record<Operation["auth"], string>>;
  parameters: string;
  separator: string;
  /** Where a parameter goes: {in} is one of `in`, or the OpenAPI word itself. */
  paramIn: string;
  in: Record<string, string>;
  requestBody: string;
  /** A success answer: {description} is what it is, {shape} its schema's name and fields (`Account {id, userId, …}`). */
  responseShape: string;
  /** The section listing every error `code`: what a problem's `type` link opens. */
  errors: { heading: string; intro: string; code: string; status: string; meaning: string };
}

const en: ApiDocsText = {
  intro:
    "Version {version}. The machine-readable document is {openapi} (OpenAPI 3.1). Errors are RFC 9457 problem details ({problemType}) with a stable {code}; lists are {listShape} with {limit} (1–200) and {cursor}.",
  toc: "Sections",
  fullStop: ". ",
  needs: "Needs {auth}.",
  auth: {
    none: "no authentication",
    member: "an organization member's session or an API key",
    user: "a user's session (Bearer token or cookie)",
    admin: "an admin's session or API key",
    owner: "an owner's session or API key",
    api_key: "an API key (Bearer rk_…)",
  },
  parameters: "Parameters: ",
  separator: ", ",
  paramIn: "({in})",
  in: {},
  requestBody: "Request body (JSON Schema)",
  responseShape: "{description} — {shape}",
  errors: {
    heading: "Errors",
    intro: "Every error answer is a problem+json body whose code is one of these; its type is a link to its line here.",
    code: "code",
    status: "status",
    meaning: "what it means",
  },
};

const ja: ApiDocsText & { auth: Record<Operation["auth"], string> } = {
  intro:
    "バージョン {version}。機械可読な定義は {openapi}（OpenAPI 3.1）にあります。エラーは RFC 9457 の problem details（{problemType}）で返し、安定した {code} を含みます。一覧は {listShape} の形式で、{limit}（1〜200）と {cursor} でページを送ります。",
  toc: "目次",
  fullStop: "。",
  needs: "認証：{auth}",
  auth: {
    none: "不要",
    user: "ユーザーのセッション（Bearer トークンまたは Cookie）",
    member: "組織のメンバーのセッション、またはAPIキー",
    admin: "管理者のセッション、またはAPIキー",
    owner: "オーナーのセッション、またはAPIキー",
    api_key: "APIキー（Bearer rk_…）",
  },
  parameters: "パラメーター：",
  separator: "、",
  paramIn: "（{in}）",
  in: { path: "パス", query: "クエリ" },
  requestBody: "リクエスト本文（JSON Schema）",
  responseShape: "{description}：{shape}",
  errors: {
    heading: "エラー",
    intro: "エラーの応答はすべて problem+json で、その code は次のいずれかです。type はこの表の該当行へのリンクです。",
    code: "code",
    status: "ステータス",
    meaning: "意味",
  },
};

export const apiDocsText: Record<Lang, ApiDocsText> = { en, ja };

/** Section headings by OpenAPI tag (the tag itself stays the anchor, so links work in both languages). */
export const jaTags: Record<string, string> = {
  server: "サーバー",
  auth: "認証",
  me: "マイアカウント",
  directory: "名簿",
  invitations: "登録依頼",
  introspection: "トークンのイントロスペクション",
  "admin users": "管理：ユーザー",
  "admin invitations": "管理：登録依頼",
  "admin organizations": "管理：組織",
  "admin settings": "管理：設定",
  "admin api keys": "管理：APIキー",
  "admin audit": "管理：監査ログ",
  "admin mail": "管理：メール",
};

/** Operation summaries by `${method} ${path}`, as in openapi.ts. */
export const jaSummaries: Record<string, string> = {
  "get /api/v1/server": "サーバー名、バージョン、登録ポリシー",
  "post /api/v1/auth/register": "アカウントを登録（最初のアカウントは組織も作成）",
  "post /api/v1/auth/verify-email": "メールで届いたトークン、またはメールアドレスと6桁のコードでアドレスを確認",
  "post /api/v1/auth/resend-verification": "確認メールを再送（1分に1回まで）",
  "post /api/v1/auth/login": "メールアドレスまたはユーザーIDでログイン。セッションは端末ごと",
  "post /api/v1/auth/logout": "現在のセッションを終了",
  "post /api/v1/auth/password-reset": "パスワード再設定用のリンクをメールで送信（常に 202）",
  "post /api/v1/auth/password-reset/confirm": "再設定用トークンで新しいパスワードを設定。すべてのセッションを終了",
  "post /api/v1/auth/setup": "管理者が作成したアカウントの本人がパスワードを設定",
  "get /api/v1/me": "呼び出し元のアカウント",
  "patch /api/v1/me": "呼び出し元のプロフィールを編集",
  "post /api/v1/me/password": "パスワードを変更。他のすべてのセッションを終了",
  "post /api/v1/me/email": "メールアドレスを変更（新しいアドレスに送るリンクで確認）",
  "get /api/v1/me/sessions": "呼び出し元のセッションの一覧（現在のセッションを明示）",
  "delete /api/v1/me/sessions": "他のすべてのセッションを終了",
  "delete /api/v1/me/sessions/{id}": "セッションを1つ終了",
  "get /api/v1/directory": "呼び出し元の組織の有効なメンバー",
  "get /api/v1/groups": "グループの階層とメンバー数",
  "get /api/v1/invitations/{token}": "登録依頼の内容",
  "post /api/v1/invitations/{token}/accept": "登録依頼を承諾：新しいアカウントを作成（そのセッションを返す）、または個人アカウントを組織に移動",
  "post /api/v1/introspect": "RFC 7662 のトークンイントロスペクション（フォームまたは JSON の `token`）",
  "get /api/v1/admin/users": "アカウントを検索（userId・email・nickname の部分一致）",
  "post /api/v1/admin/users": "アカウントを作成（設定用メール、パスワード、または設定用リンク）",
  "get /api/v1/admin/users/export": "CSV または JSON でエクスポート（ストリーミング）",
  "post /api/v1/admin/users/import": "CSV または JSON の行をインポート（?dryRun=true は検査のみ）",
  "post /api/v1/admin/users/batch-delete": "一括削除。ID ごとに結果を返す",
  "get /api/v1/admin/users/{id}": "アカウントを取得",
  "patch /api/v1/admin/users/{id}": "アカウントを編集",
  "delete /api/v1/admin/users/{id}": "アカウントを削除（削除のロックが解除されている場合）",
  "post /api/v1/admin/users/{id}/disable": "アカウントを無効化",
  "post /api/v1/admin/users/{id}/enable": "アカウントを有効化",
  "post /api/v1/admin/users/{id}/promote": "アカウントを昇格",
  "post /api/v1/admin/users/{id}/demote": "アカウントを降格",
  "post /api/v1/admin/users/{id}/approve": "アカウントの申請を承認",
  "post /api/v1/admin/users/{id}/verify-email": "アカウントのメールアドレスを確認済みに設定",
  "post /api/v1/admin/users/{id}/setup-link":
    "パスワード設定待ちのアカウントに新しい設定用リンクを発行（以前のリンクは使えなくなる）。メールで送信し、メールアドレスがない場合は本人に渡せるよう応答で返す",
  "post /api/v1/admin/users/{id}/password": "仮パスワードを設定（次回のログインで変更が必要）。アカウントのセッションを終了し、ログインのロックを解除",
  "post /api/v1/admin/users/{id}/decline": "理由を添えて申請を却下（メールで通知）。アカウントは削除される",
  "delete /api/v1/admin/users/{id}/sessions": "アカウントのすべてのセッションを終了",
  "get /api/v1/admin/invitations": "登録依頼の一覧",
  "post /api/v1/admin/invitations": "登録依頼を送信（1件または複数のアドレス）",
  "delete /api/v1/admin/invitations/{id}": "登録依頼を取り消し",
  "post /api/v1/admin/invitations/{id}/resend": "新しいリンクで登録依頼を再送",
  "get /api/v1/admin/organizations": "組織の一覧（オーナーにはすべての組織）",
  "post /api/v1/admin/organizations": "組織を作成",
  "patch /api/v1/admin/organizations/{id}": "名前の変更、所有ドメインの変更、上限の設定",
  "get /api/v1/admin/settings": "サーバー設定",
  "patch /api/v1/admin/settings": "サーバー設定を変更（削除のロック解除には confirmDeletionUnlock が必要）",
  "get /api/v1/admin/api-keys": "APIキーの一覧と最終使用日時",
  "post /api/v1/admin/api-keys": "APIキーを作成（キーが表示されるのは一度だけ）",
  "delete /api/v1/admin/api-keys/{id}": "APIキーを取り消し",
  "get /api/v1/admin/audit": "監査ログ（新しい順）",
  "get /api/v1/admin/audit/export": "監査ログをCSVまたはJSONでエクスポート（古い順、一覧と同じ絞り込み。ストリーム配信。エクスポートしたことも記録されます）",
  "get /api/v1/admin/audit/verify": "監査ログのハッシュチェーンを検証（結果は1分間保持）",
  "get /api/v1/admin/storage": "データボリューム：データベースのサイズ、空き容量（残りわずかかどうか）、夜間バックアップ",
  "get /api/v1/admin/mail": "送信メールのキュー",
  "get /api/v1/admin/mail/health": "状態別のメール数と配信方法",
  "get /api/v1/admin/mail/{id}": "メール1通の全内容",
  "post /api/v1/admin/mail/{id}/retry": "再試行中または失敗したメールを今すぐ再送",
  "post /api/v1/admin/mail/test": "テストメールを送信し、メールサーバーの応答を返す",
  "get /healthz": "稼働確認",
  "get /readyz": "準備完了の確認（データベースとマイグレーション）",
};

/**
 * Success descriptions by their English text. A bare JSON shape such as
 * `{user}` needs none (isShape); error responses list error codes, which stay as they are.
 */
export const jaResponses: Record<string, string> = {
  nothing: "本文なし",
  "the account": "アカウント",
  "a page of the list": "一覧の1ページ",
  "a file": "ファイル",
  "the message": "メール",
  "the organization": "組織",
  "the request": "登録依頼",
  "the request, with mode": "登録依頼（mode 付き）",
  "the settings": "設定",
  "the personal account, moved in": "組織に移動した個人アカウント",
  "for many addresses: a result for each": "複数のアドレスの場合：アドレスごとの結果",
  "not ready": "準備未完了",
  problem: "problem details",
};

/** A description that is only a JSON shape (`{user, outcome, setupUrl?}`) reads the same in every language. */
export const isShape = (text: string): boolean => /^\{[^{}]*\}$/.test(text);

export const summaryIn = (lang: Lang, method: string, path: string, english: string): string => (lang === "ja" ? (jaSummaries[`${method} ${path}`] ?? english) : english);
export const responseIn = (lang: Lang, english: string): string => (lang === "ja" ? (jaResponses[english] ?? english) : english);
export const tagIn = (lang: Lang, tag: string): string => (lang === "ja" ? (jaTags[tag] ?? tag) : tag);
