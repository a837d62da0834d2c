import type { Child } from "hono/jsx";

/** One line of a fact list (`<dl class="facts">`): a label and what it says. */
export function Fact({ label, children }: { label: string; children: Child }) {
  return (
    <div>
      <dt>{label}</dt>
      <dd>{children}</dd>
    </div>
  );
}
