// A bulk screening's page: update the progress in place from the job's JSON status, and show the results
// page once the job has ended. Without this script the page reloads itself (a refresh in <noscript>).
const job = document.querySelector("[data-bulk-job]");

if (job) {
  const text = job.querySelector("[data-progress-text]");
  const bar = job.querySelector("[data-progress]");
  const every = Number(job.dataset.pollSeconds || 1) * 1000;

  const poll = async () => {
    try {
      const response = await fetch(job.dataset.statusUrl, { headers: { Accept: "application/json" } });
      if (response.ok) {
        const status = await response.json();
        if (status.status === "done" || status.status === "failed") {
          window.location.reload();
          return;
        }
        text.textContent = status.text;
        bar.max = Math.max(status.total_rows, 1);
        bar.value = status.rows_done;
        bar.textContent = `${status.percent}%`;
      }
    } catch {
      // A missed answer (the network, a restart): ask again at the next turn.
    }
    window.setTimeout(poll, every);
  };

  window.setTimeout(poll, every);
}
