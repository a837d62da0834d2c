import type { FormState, Message, View } from "../view.js";

/** A page's heading with a one-line explanation under it. */
export function AdminHeading({ v, title, intro }: { v: View; title: string; intro?: string }) {
  return (
    <header class="ao-heading">
      <h1>{v.t(title)}</h1>
      {intro && <p class="lead">{v.t(intro)}</p>}
    </header>
  );
}

/** "Newer / older" style pagination over an opaque cursor: a link to the first page and one to the next. */
export function Pager({ v, first, next, target }: { v: View; first?: string; next?: string; target?: string }) {
  if (!first && !next) return null;
  const hx = (href: string) => (target ? { "hx-get": href, "hx-target": target, "hx-swap": "outerHTML", "hx-push-url": "true" } : {});
  return (
    <nav class="ao-pager" aria-label={v.t("admin.cursor.label")}>
      {first && (
        <a class="btn btn-quiet" href={first} {...hx(first)}>
          {v.t("admin.cursor.first")}
        </a>
      )}
      {next && (
        <a class="btn btn-quiet" href={next} rel="next" {...hx(next)}>
          {v.t("admin.cursor.next")}
        </a>
      )}
    </nav>
  );
}

/** A small coloured label for a state (pending, accepted, revoked, expired…). */
export function StateBadge({ v, prefix, state }: { v: View; prefix: string; state: string }) {
  return <span class={`ao-state ao-state-${state}`}>{v.t(`${prefix}.${state}`)}</span>;
}

/**
 * A labelled textarea with hint and error, like components/form.tsx's Field.
 * `error`: a message with placeholders (the values at fault) instead of the
 * state's bare key for this field.
 */
export function TextArea(p: { v: View; state: FormState; name: string; label: string; id?: string; hint?: string; rows?: number; required?: boolean; maxlength?: number; placeholder?: string; error?: Message }) {
  const id = p.id ?? `f-${p.name}`;
  const key = p.state.errors[p.name];
  const error: Message | undefined = p.error ?? (key ? { key } : undefined);
  const described = [p.hint ? `${id}-hint` : "", error ? `${id}-error` : ""].filter(Boolean).join(" ");
  return (
    <div class={error ? "field invalid" : "field"}>
      <label for={id}>
        {p.label}
        {!p.required && <span class="optional">{p.v.t("form.optional")}</span>}
      </label>
      <textarea id={id} name={p.name} rows={p.rows ?? 4} required={p.required} maxlength={p.maxlength} placeholder={p.placeholder} aria-invalid={error ? "true" : undefined} aria-describedby={described || undefined}>
        {p.state.values[p.name] ?? ""}
      </textarea>
      {p.hint && (
        <p class="hint" id={`${id}-hint`}>
          {p.hint}
        </p>
      )}
      {error && (
        <p class="field-error" id={`${id}-error`}>
          {p.v.t(error.key, error.params)}
        </p>
      )}
    </div>
  );
}
