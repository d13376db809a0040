// The decomposition table's running totals: the parts' weights and targets (published parts
// included) against the objective's, red while they do not add up.
(() => {
  const table = document.querySelector("[data-testid=decompose-table]");
  if (!table) return;
  const number = (text) => {
    const value = parseFloat(String(text || "").replace(/,/g, ""));
    return Number.isFinite(value) ? value : 0;
  };
  const cents = (value) => Math.round(value * 100);
  const sum = (column, published) =>
    Array.from(table.querySelectorAll(`input[data-column=${column}]`)).reduce(
      (total, input) => total + number(input.value),
      number(published),
    );
  const show = (column, total, good) => {
    const box = table.querySelector(`[data-total=${column}]`);
    if (!box) return;
    box.textContent = String(Number(total.toFixed(2)));
    box.classList.toggle("text-danger", !good);
    box.classList.toggle("text-success", good);
  };
  const update = () => {
    const weight = sum("weight", table.dataset.publishedWeight);
    show("weight", weight, cents(weight) === cents(number(table.dataset.parentWeight)));
    if (table.dataset.additive && table.dataset.parentTarget) {
      const target = sum("target", table.dataset.publishedTarget);
      const parent = cents(number(table.dataset.parentTarget));
      show("target", target, table.dataset.lower ? cents(target) <= parent : cents(target) >= parent);
    } else {
      const box = table.querySelector("[data-total=target]");
      if (box) box.textContent = "";
    }
  };
  table.addEventListener("input", update);
  update();
})();
