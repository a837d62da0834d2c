import type { GroupNode } from "../../server/organizations/directory.js";
import { GroupTree, PeopleResultsSection, type PeopleResults } from "../partials/people-parts.js";
import type { View } from "../view.js";

/**
 * The directory of the viewer's organization: a search box that searches as
 * one types (htmx, debounced; a plain GET form without JavaScript), the
 * group tree, and the members.
 */
export function PeoplePage({ v, organization, tree, results }: { v: View; organization: string; tree: { items: GroupNode[]; ungrouped: number; total: number }; results: PeopleResults }) {
  const t = v.t;
  const search = { "hx-get": "/people", "hx-target": "#people-results", "hx-swap": "outerHTML", "hx-push-url": "true" };
  return (
    <div class="people">
      <header class="people-head">
        <div>
          <h1>{t("people.title")}</h1>
          <p class="lead">{t("people.intro", { organization })}</p>
        </div>
        <form method="get" action="/people" role="search" class="people-search" {...search}>
          {results.group && <input type="hidden" name="group" value={results.group} />}
          <label for="people-q" class="vh">
            {t("people.search")}
          </label>
          <input
            id="people-q"
            name="q"
            type="search"
            value={results.q}
            maxlength={100}
            placeholder={t("people.searchPlaceholder")}
            autocomplete="off"
            {...search}
            hx-trigger="input changed delay:300ms, search"
            hx-include="closest form"
          />
          <button type="submit" class="btn btn-secondary">
            {t("people.searchSubmit")}
          </button>
        </form>
      </header>
      <div class="people-layout">
        <GroupTree v={v} tree={tree} current={results.group} q={results.q} />
        <PeopleResultsSection v={v} r={results} />
      </div>
    </div>
  );
}

/** A personal account has no organization, so no colleagues to list. */
export function PeoplePersonalPage({ v }: { v: View }) {
  const t = v.t;
  return (
    <section class="card narrow" aria-labelledby="people-personal-title">
      <h1 id="people-personal-title">{t("people.personal.title")}</h1>
      <p class="lead">{t("people.personal.intro")}</p>
      <p>{t("people.personal.invite")}</p>
      <a class="btn btn-primary" href="/account">
        {t("nav.account")}
      </a>
    </section>
  );
}
