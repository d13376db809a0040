// Follows a background job (a roster import) until it finishes, then reloads to show results.
document.querySelectorAll("[data-progress-url]").forEach((box) => {
  if (box.dataset.finished) return;
  const bar = box.querySelector("progress");
  const status = box.querySelector("[data-progress-status]");
  const count = box.querySelector("[data-progress-count]");
  const poll = async () => {
    const response = await fetch(box.dataset.progressUrl, { headers: { Accept: "application/json" } });
    const job = await response.json();
    bar.value = job.percent;
    status.textContent = job.status_display;
    count.textContent = `${job.processed_rows}/${job.total_rows}`;
    if (job.finished) window.location.reload();
    else window.setTimeout(poll, 1000);
  };
  window.setTimeout(poll, 1000);
});
