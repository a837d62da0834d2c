import type { Child } from "hono/jsx";

/**
 * Every mail Roster writes has this one shape: a greeting, paragraphs, an
 * optional button (a link) and code, and a footer. The same parts make the
 * text and the HTML alternative, so the two never drift apart.
 */
export interface MailParts {
  /** The language it is written in: `<html lang>`, so mail programs pick Japanese fonts for Japanese (not Chinese ones). */
  lang: string;
  subject: string;
  greeting: string;
  /** Line breaks inside a paragraph (an admin's invitation message) are kept in both parts. */
  paragraphs: string[];
  action?: { label: string; url: string };
  /** A code to type, with the line that says what it is for. */
  code?: { label: string; value: string };
  after?: string[];
  signature: string;
}

const para = "white-space:pre-line";

const box = "font-family:-apple-system,'Segoe UI','Hiragino Sans','Noto Sans JP',Meiryo,sans-serif;max-width:560px;margin:0 auto;padding:24px;color:#1f2937;line-height:1.6";

function Html({ m }: { m: MailParts }): Child {
  return (
    <html lang={m.lang}>
      <head>
        <meta charset="utf-8" />
        <title>{m.subject}</title>
      </head>
      <body style="margin:0;background:#f3f4f6">
        <div style={box}>
          <p>{m.greeting}</p>
          {m.paragraphs.map((p) => <p style={para}>{p}</p>)}
          {m.action && (
            <p style="margin:24px 0">
              <a href={m.action.url} style="background:#2563eb;color:#ffffff;padding:12px 20px;border-radius:6px;text-decoration:none;display:inline-block">
                {m.action.label}
              </a>
            </p>
          )}
          {m.action && <p style="font-size:13px;color:#6b7280;word-break:break-all">{m.action.url}</p>}
          {m.code && <p>{m.code.label}</p>}
          {m.code && <p style="font-size:28px;letter-spacing:6px;font-weight:bold">{m.code.value}</p>}
          {(m.after ?? []).map((p) => <p style={`font-size:14px;color:#4b5563;${para}`}>{p}</p>)}
          <p style={`font-size:13px;color:#6b7280;${para}`}>{m.signature}</p>
        </div>
      </body>
    </html>
  );
}

export function renderMailHtml(m: MailParts): string {
  return "<!DOCTYPE html>" + String(<Html m={m} />);
}

export function renderMailText(m: MailParts): string {
  const blocks = [m.greeting, ...m.paragraphs];
  if (m.action) blocks.push(`${m.action.label}:\n${m.action.url}`);
  if (m.code) blocks.push(`${m.code.label}\n${m.code.value}`);
  blocks.push(...(m.after ?? []), m.signature);
  return blocks.join("\n\n") + "\n";
}
