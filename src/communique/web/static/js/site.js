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

/** Forms whose answer can take a while (analyses over a large archive) show that they are
 *  working, with the seconds elapsed, until the next page arrives. */
function busyForm(form) {
  form.addEventListener("submit", () => {
    let status = form.querySelector(".busy");
    if (!status) {
      status = document.createElement("p");
      status.className = "busy";
      status.setAttribute("role", "status");
      form.append(status);
    }
    const started = Date.now();
    const tick = () => {
      const s = Math.round((Date.now() - started) / 1000);
      status.textContent = `Working… ${s} s (the first analysis of a large archive builds its word cache)`;
    };
    tick();
    setInterval(tick, 1000);
  });
}

document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("input[data-suggest]").forEach(speakerSuggestions);
  document.querySelectorAll("form[data-busy]").forEach(busyForm);
  document.querySelectorAll("button[data-copy]").forEach(copyButton);
  document.querySelectorAll("form[role=search]").forEach(trimForm);
});
