// Roster's only script besides htmx: no inline scripts (the CSP forbids them).
document.addEventListener("htmx:configRequest", () => {});
