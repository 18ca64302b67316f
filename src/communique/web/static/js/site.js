// communique: small enhancements; every page works without them.
"use strict";

/** Speaker suggestions as you type: fill the input's <datalist> from /api/v1/speakers?q=... */
function speakerSuggestions(input) {
  const list = document.getElementById(input.getAttribute("list"));
  if (!list) return;
  let timer = 0;
  let last = null;
  const load = async () => {
    const q = input.value.trim();
    if (q === last) return;
    last = q;
    const url = `${input.dataset.suggest}?size=12&q=${encodeURIComponent(q)}`;
    try {
      const response = await fetch(url, { headers: { accept: "application/json" } });
      if (!response.ok) return;
      const data = await response.json();
      list.replaceChildren(
        ...data.items.map((s) => {
          const option = document.createElement("option");
          option.value = s.name;
          option.label = `${s.name} — ${s.turns} turns`;
          return option;
        }),
      );
    } catch (_) {
      /* suggestions are a convenience: ignore network errors */
    }
  };
  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(load, 150);
  });
  input.addEventListener("focus", load, { once: true });
}

/** "Copy" buttons: copy the text of the element named by data-copy. */
function copyButton(button) {
  button.addEventListener("click", async () => {
    const source = document.getElementById(button.dataset.copy);
    if (!source) return;
    try {
      await navigator.clipboard.writeText(source.textContent);
      button.textContent = "Copied";
    } catch (_) {
      const range = document.createRange();
      range.selectNodeContents(source);
      const selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
      button.textContent = "Selected";
    }
    setTimeout(() => (button.textContent = "Copy"), 1500);
  });
}

/** Forms submit only the fields that have a value, so search URLs stay short. */
function trimForm(form) {
  form.addEventListener("submit", () => {
    for (const field of form.querySelectorAll("input[name], select[name]")) {
      if (field.type !== "checkbox" && field.value.trim() === "") field.disabled = true;
    }
    setTimeout(() => {
      for (const field of form.querySelectorAll("[disabled]")) field.disabled = false;
    }, 0);
  });
}

/** Forms whose answer can take a while (analyses over a large archive): the request asks for
 *  an answer in the background (`Prefer: respond-async`, docs/api.md); while it is queued or
 *  running, the form shows how far the work is (the share done, as the server's analysis
 *  reports it) and a button that cancels it; then the browser goes to the page with
 *  `job=<id>`, which the server answers with the job's answer (not computed again), and the
 *  address loses the `job` parameter. Without JavaScript (or if anything here fails) the form
 *  is sent as usual. */
function busyForm(form) {
  form.addEventListener("submit", (event) => {
    if (event.defaultPrevented || !window.fetch) return;
    event.preventDefault();
    const params = new URLSearchParams();
    for (const [name, value] of new FormData(form)) {
      if (typeof value === "string" && value.trim() !== "") params.append(name, value);
    }
    const url = `${form.getAttribute("action")}?${params}`;
    runJob(form, url).catch(() => {
      window.location.href = url;
    });
  });
}

function busyStatus(form) {
  let status = form.querySelector(".busy");
  if (!status) {
    status = document.createElement("div");
    status.className = "busy";
    status.setAttribute("role", "status");
    status.innerHTML =
      '<span class="busy-text">Working…</span> <progress max="1" value="0"></progress> ' +
      '<button type="button" class="busy-cancel">Cancel</button>';
    form.append(status);
  }
  status.hidden = false;
  return status;
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function jobAnswer(url, job) {
  window.location.href = `${url}${url.includes("?") ? "&" : "?"}job=${encodeURIComponent(job.id)}`;
}

/** A page reached with `job=<id>` (a job's answer): its address without it. */
function dropJobParameter() {
  const params = new URLSearchParams(window.location.search);
  if (!params.has("job")) return;
  params.delete("job");
  const query = params.toString();
  history.replaceState(null, "", `${window.location.pathname}${query ? "?" + query : ""}`);
}

async function runJob(form, url) {
  const status = busyStatus(form);
  const text = status.querySelector(".busy-text");
  const bar = status.querySelector("progress");
  const cancel = status.querySelector(".busy-cancel");
  text.textContent = "Working…";
  cancel.disabled = false;
  let response = await fetch(url, {
    headers: { prefer: "respond-async, wait=0", accept: "text/html" },
  });
  if (response.status !== 202) throw new Error(`no job: ${response.status}`);
  let job = await response.json();
  let cancelled = false;
  cancel.onclick = async () => {
    cancelled = true;
    cancel.disabled = true;
    const gone = await fetch(job.url, { method: "DELETE" });
    if (gone.ok) job = await gone.json();
    text.textContent = job.state === "cancelled" ? "Cancelled." : "Working…";
    if (job.state !== "cancelled") location.href = url;
  };
  for (let round = 0; ; round++) {
    const share = Math.round(job.progress * 100);
    bar.value = job.progress;
    text.textContent = job.state === "queued" ? "Waiting for a free worker…" : `Working… ${share}% done`;
    await sleep(round ? 500 : 100);
    if (cancelled) return;
    response = await fetch(job.url, { headers: { accept: "application/json" }, redirect: "manual" });
    if (cancelled) return;
    if (response.type === "opaqueredirect" || response.status === 303) {  // the answer is there
      jobAnswer(url, job);
      return;
    }
    if (!response.ok) throw new Error(`job ${job.id}: ${response.status}`);
    job = await response.json();
    if (job.state === "cancelled") {
      text.textContent = "Cancelled.";
      cancel.disabled = true;
      return;
    }
  }
}

document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("input[data-suggest]").forEach(speakerSuggestions);
  document.querySelectorAll("form[data-busy]").forEach(busyForm);
  dropJobParameter();
  document.querySelectorAll("button[data-copy]").forEach(copyButton);
  document.querySelectorAll("form[role=search]").forEach(trimForm);
});
