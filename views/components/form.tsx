import type { Child } from "hono/jsx";
import type { FormState, Message, View } from "../view.js";

/**
 * A success (`ok`), information or error box. Each can take focus (tabindex
 * -1): an error after an htmx swap, the others when the swap took away the
 * focused button (app.js). An error is announced as it appears (role=alert);
 * a success or notice is read out through the page's one live region
 * (app.js copies it into #flash), as a role=status inside content that htmx
 * swaps whole is skipped by screen readers.
 */
export function Alert({ v, msg, kind, class: extra, children }: { v: View; msg: Message; kind: "ok" | "info" | "error"; class?: string; children?: Child }) {
  return (
    <div class={`alert alert-${kind}${extra ? ` ${extra}` : ""}`} role={kind === "error" ? "alert" : undefined} tabindex={-1}>
      <p>{v.t(msg.key, msg.params)}</p>
      {children}
    </div>
  );
}

/** The class of a form's error summary: a page showing one says "Error:" in its title (server/http/pages/render.tsx). */
export const ERROR_SUMMARY = "error-summary";

/**
 * A field a form shows: its label; its id where it is not `f-<name>`; its
 * message where the field says more than the state's key (the values at fault).
 */
export type ShownField = string | { label: string; id?: string; message?: Message };

/**
 * The summary above a form: the error, then each field's message, as a link
 * to that field ("Email address: Enter a valid address"), and any field
 * message whose field the form does not show (so no message is ever lost);
 * or the notice. `fields`: the fields the form shows, by name with their
 * labels (or as bare names: the link then says the message alone).
 */
export function FormMessages({ v, state, fields }: { v: View; state: FormState; fields: readonly string[] | Record<string, ShownField> }) {
  const shown: Record<string, ShownField | undefined> = Array.isArray(fields) ? Object.fromEntries(fields.map((name) => [name, undefined])) : (fields as Record<string, ShownField>);
  // In the form's order, then the ones it does not show.
  const said = (name: string) => {
    const f = shown[name];
    return Boolean(state.errors[name] || (typeof f === "object" && f.message));
  };
  const linked = Object.keys(shown).filter(said);
  const others = Object.entries(state.errors).filter(([name]) => !(name in shown));
  const link = (name: string) => {
    const f = shown[name];
    const id = (typeof f === "object" && f.id) || `f-${name}`;
    const label = typeof f === "object" ? f.label : f;
    const own = typeof f === "object" ? f.message : undefined;
    const message = own ? v.t(own.key, own.params) : v.t(state.errors[name] ?? "");
    return <a href={`#${id}`}>{label ? v.t("form.errorLink", { label, message }) : message}</a>;
  };
  return (
    <>
      {state.summary && (
        <Alert v={v} kind="error" msg={state.summary} class={ERROR_SUMMARY}>
          {linked.length + others.length > 0 && (
            <ul>
              {linked.map((name) => (
                <li>{link(name)}</li>
              ))}
              {others.map(([, key]) => (
                <li>{v.t(key)}</li>
              ))}
            </ul>
          )}
        </Alert>
      )}
      {state.notice && <Alert v={v} kind="ok" msg={state.notice} />}
    </>
  );
}

interface FieldBase {
  v: View;
  state: FormState;
  name: string;
  label: string;
  /** Defaults to `f-<name>`; set it when a page has two fields of one name. */
  id?: string;
  hint?: string;
}

function describe(id: string, hint: string | undefined, error: string | undefined) {
  const ids = [hint ? `${id}-hint` : "", error ? `${id}-error` : ""].filter(Boolean).join(" ");
  return { "aria-invalid": error ? "true" : undefined, "aria-describedby": ids || undefined };
}

function Help({ v, id, hint, error }: { v: View; id: string; hint?: string; error?: string }) {
  return (
    <>
      {hint && (
        <p class="hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
      {error && (
        <p class="field-error" id={`${id}-error`}>
          {v.t(error)}
        </p>
      )}
    </>
  );
}

/** A labelled input with its hint and error. Password inputs never carry a value back. */
export function Field(p: FieldBase & { type?: string; required?: boolean; autocomplete?: string; maxlength?: number; inputmode?: "numeric" | "email" | "url" | "text"; autofocus?: boolean }) {
  const id = p.id ?? `f-${p.name}`;
  const error = p.state.errors[p.name];
  const type = p.type ?? "text";
  return (
    <div class={error ? "field invalid" : "field"}>
      <label for={id}>
        {p.label}
        {!p.required && <span class="optional">{p.v.t("form.optional")}</span>}
      </label>
      <input
        id={id}
        name={p.name}
        type={type}
        value={type === "password" ? undefined : (p.state.values[p.name] ?? "")}
        required={p.required}
        autocomplete={p.autocomplete}
        maxlength={p.maxlength}
        inputmode={p.inputmode}
        autofocus={p.autofocus}
        {...describe(id, p.hint, error)}
      />
      <Help v={p.v} id={id} hint={p.hint} error={error} />
    </div>
  );
}

export function Select(p: FieldBase & { options: { value: string; label: string }[]; autocomplete?: string }) {
  const id = p.id ?? `f-${p.name}`;
  const error = p.state.errors[p.name];
  const current = p.state.values[p.name] ?? "";
  return (
    <div class={error ? "field invalid" : "field"}>
      <label for={id}>{p.label}</label>
      <select id={id} name={p.name} autocomplete={p.autocomplete} {...describe(id, p.hint, error)}>
        {p.options.map((o) => (
          <option value={o.value} selected={o.value === current}>
            {o.label}
          </option>
        ))}
      </select>
      <Help v={p.v} id={id} hint={p.hint} error={error} />
    </div>
  );
}

/** A checkbox: checked when the state's value is "on" (what browsers send). */
export function Checkbox(p: FieldBase) {
  const id = p.id ?? `f-${p.name}`;
  const error = p.state.errors[p.name];
  return (
    <div class={error ? "field check invalid" : "field check"}>
      <input id={id} name={p.name} type="checkbox" checked={p.state.values[p.name] === "on"} {...describe(id, p.hint, error)} />
      <label for={id}>{p.label}</label>
      <Help v={p.v} id={id} hint={p.hint} error={error} />
    </div>
  );
}

export function Submit({ label, kind = "primary" }: { label: string; kind?: "primary" | "secondary" | "danger" }) {
  return (
    <button type="submit" class={`btn btn-${kind}`}>
      {label}
    </button>
  );
}

/**
 * A form that works without JavaScript (a plain POST) and, with htmx,
 * posts in the background and swaps `target` with the answer.
 */
export function hxForm(action: string, target: string) {
  return { action, method: "post" as const, "hx-post": action, "hx-target": target, "hx-swap": "outerHTML", "hx-disabled-elt": "find button" };
}
