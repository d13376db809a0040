// Behaviour shared by every page. No inline scripts: the CSP forbids them.
document.addEventListener("DOMContentLoaded", () => {
  // Forms that ask before they act (e.g. closing a period) carry data-confirm.
  document.querySelectorAll("form[data-confirm]").forEach((form) => {
    form.addEventListener("submit", (event) => {
      if (!window.confirm(form.dataset.confirm)) event.preventDefault();
    });
  });
});
