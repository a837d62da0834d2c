import type { Message, View } from "../view.js";

/** A page for an error that no form could show. */
export function ErrorPage({ v, status, msg }: { v: View; status: number; msg: Message }) {
  return (
    <section class="card narrow" aria-labelledby="error-title">
      <p class="eyebrow">{v.t("page.error.status", { status })}</p>
      <h1 id="error-title">{v.t(msg.key, msg.params)}</h1>
      <p>
        <a href="/">{v.t("page.error.home")}</a>
      </p>
    </section>
  );
}

/** The same message as an htmx fragment, shown in the page's #flash region. */
export function ErrorFlash({ v, msg }: { v: View; msg: Message }) {
  return (
    <div class="alert alert-error" role="alert" tabindex={-1}>
      <p>{v.t(msg.key, msg.params)}</p>
    </div>
  );
}
