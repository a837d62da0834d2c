import type { Child } from "hono/jsx";
import type { FormState, Message, View } from "../view.js";

/** A success (`ok`), information or error box. Errors take focus after an htmx swap (app.js). */
export function Alert({ v, msg, kind, children }: { v: View; msg: Message; kind: "ok" | "info" | "error"; children?: Child }) {
  return (
    <div class={`alert alert-${kind}`} role={kind === "error" ? "alert" : "status"} tabindex={kind === "error" ? -1 : undefined}>
      <p>{v.t(msg.key, msg.params)}</p>
      {children}
    </div>
  );
}

/**
 * The summary above a form: the error, plus any field message whose field
 * the form does not show (so no message is ever lost), or the notice.
 */
export function FormMessages({ v, state, fields }: { v: View; state: FormState; fields: string[] }) {
  const others = Object.entries(state.errors).filter(([name]) => !fields.includes(name));
  return (
    <>
      {state.summary && (
        <Alert v={v} kind="error" msg={state.summary}>
          {others.length > 0 && (
            <ul>
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

export function Select(p: FieldBase & { options: { value: string; label: string }[] }) {
  const id = p.id ?? `f-${p.name}`;
  const error = p.state.errors[p.name];
  const current = p.state.values[p.name] ?? "";
  return (
    <div class={error ? "field invalid" : "field"}>
      <label for={id}>{p.label}</label>
      <select id={id} name={p.name} {...describe(id, p.hint, error)}>
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
