/**
 * "Export …: CSV JSON": the same entries as a file, from an export route
 * (`base`) with the list's filters (`params`). Plain links: the browser
 * downloads with the session cookie, no JavaScript needed.
 */
export function ExportLinks({ label, base, params }: { label: string; base: string; params: URLSearchParams }) {
  const href = (format: string) => {
    const q = new URLSearchParams(params);
    q.set("format", format);
    return `${base}?${q.toString()}`;
  };
  return (
    <p class="results-export">
      <span>{label}</span>
      <a href={href("csv")} download>
        CSV
      </a>
      <a href={href("json")} download>
        JSON
      </a>
    </p>
  );
}
