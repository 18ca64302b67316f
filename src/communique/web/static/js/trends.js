// communique: the interactive trend chart of /trends. The page works without it: the server
// draws an SVG and a table. This redraws the chart from the JSON data block the page embeds
// (<script type="application/json">, never executed) at the width the chart really has, with
// a tooltip on hover, tap and keyboard focus, a legend that toggles series, and a switch
// between matching turns and hits per 10,000 words. A period without documents (a rate of
// null) is a gap: no point, the line broken. Points from small samples are greyed out; the
// tooltip gives the counts and the 95% interval; Enter, or a second tap or click on a point,
// opens the turns behind it.
"use strict";

const SVG_NS = "http://www.w3.org/2000/svg";
const MODES = { hits: "Matching turns", per_10k: "Per 10,000 words" };

function svgEl(name, attrs, parent) {
  const node = document.createElementNS(SVG_NS, name);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (parent) parent.appendChild(node);
  return node;
}

function htmlEl(name, attrs, text) {
  const node = document.createElement(name);
  for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, String(v));
  if (text !== undefined) node.textContent = text;
  return node;
}

/** Trailing mean over `window` values (fewer at the start), gaps (null) left out, as
 * stats.moving_average. */
function movingAverage(values, window) {
  return values.map((value, i) => {
    const have = values.slice(Math.max(0, i - window + 1), i + 1).filter((v) => v !== null);
    return value === null ? null : have.reduce((a, b) => a + b, 0) / have.length;
  });
}

/** The SVG points of each run of non-null values (a null breaks the line). */
function runs(values, x, y, r1) {
  const out = [];
  let run = [];
  values.forEach((v, i) => {
    if (v === null) {
      if (run.length) out.push(run.join(" "));
      run = [];
    } else run.push(`${r1(x(i))},${r1(y(v))}`);
  });
  if (run.length) out.push(run.join(" "));
  return out;
}

/** Round axis ticks from 0 to at least `top` (about `count` of them). */
function niceTicks(top, count, whole) {
  if (!(top > 0)) return [0, 1];
  const raw = top / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  let step = [1, 2, 2.5, 5, 10].map((f) => f * mag).find((s) => s >= raw);
  if (whole) step = Math.max(1, Math.round(step)); // counts of turns: no half turns
  const ticks = [];
  for (let v = 0; v < top + step * 1e-9; v += step) ticks.push(v);
  if (ticks[ticks.length - 1] < top - 1e-9) ticks.push(ticks[ticks.length - 1] + step);
  if (ticks.length < 2) ticks.push(step);
  return ticks.map((v) => Number(v.toPrecision(12)));
}

const number = new Intl.NumberFormat("en");
const rate = new Intl.NumberFormat("en", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const hitsText = (n) => `${number.format(n)} matching turn${n === 1 ? "" : "s"}`;
const rateText = (v) => `${rate.format(v)} per 10,000 words`;

function trendChart(figure) {
  const source = document.getElementById(figure.dataset.source);
  const svg = figure.querySelector("svg");
  if (!source || !svg) return;
  const data = JSON.parse(source.textContent);
  const state = { mode: data.per_10k ? "per_10k" : "hits", hidden: new Set(), active: null };
  const label = svg.getAttribute("aria-label") || "Trend";

  // -- controls: the mode switch above the chart, the legend below it ------------------------
  const controls = htmlEl("fieldset", { class: "chart-mode" });
  controls.appendChild(htmlEl("legend", {}, "Show"));
  for (const [value, text] of Object.entries(MODES)) {
    const id = `chart-mode-${value}`;
    const input = htmlEl("input", { type: "radio", name: "chart-mode", id, value });
    input.checked = value === state.mode;
    input.addEventListener("change", () => setMode(value));
    const lab = htmlEl("label", { for: id });
    lab.append(input, ` ${text}`);
    controls.appendChild(lab);
  }
  figure.insertBefore(controls, svg);

  const legend = htmlEl("ul", { class: "chart-legend", "aria-label": "Series" });
  data.series.forEach((s, k) => {
    const button = htmlEl("button", { type: "button", class: `legend-item ${s.cls}`,
      "aria-pressed": "true", "data-series": k });
    button.append(htmlEl("span", { class: "swatch", "aria-hidden": "true" }), s.name);
    button.addEventListener("click", () => {
      const on = state.hidden.has(k);
      if (on) state.hidden.delete(k);
      else state.hidden.add(k);
      button.setAttribute("aria-pressed", String(on));
      if (state.active && state.active.s === k) state.active = null;
      draw();
    });
    const li = htmlEl("li");
    li.appendChild(button);
    legend.appendChild(li);
  });
  const unit = htmlEl("span", { class: "chart-unit" });
  const caption = figure.querySelector("figcaption") || htmlEl("figcaption");
  caption.replaceChildren(legend, unit);
  figure.appendChild(caption);

  const tooltip = htmlEl("div", { class: "chart-tooltip", "aria-hidden": "true" });
  tooltip.hidden = true;
  figure.appendChild(tooltip);

  svg.setAttribute("role", "group"); // its points are focusable: not a single image any more
  figure.classList.add("enhanced");

  /** The values plotted: null for a period without documents (a gap). */
  function values(s) {
    return state.mode === "per_10k" ? s.per_10k : s.hits.map((h, i) => (s.words[i] ? h : null));
  }

  function describe(s, i) {
    const hits = hitsText(s.hits[i]);
    const per = rateText(s.per_10k[i]);
    const first = state.mode === "per_10k" ? [per, hits] : [hits, per];
    const ci = `95% CI ${rate.format(s.low[i])}–${rate.format(s.high[i])} in ${number.format(s.words[i])} words`;
    const small = s.small[i] ? `small sample (fewer than ${number.format(data.min_sample)} words)` : "";
    return { title: data.periods[i], series: s.name, value: first[0], other: first[1], ci, small };
  }

  function setMode(mode) {
    state.mode = mode;
    const box = document.querySelector('form input[name="per_10k"]');
    if (box) box.checked = mode === "per_10k";
    const url = new URL(window.location.href);
    if (mode === "per_10k") url.searchParams.set("per_10k", "1");
    else url.searchParams.delete("per_10k");
    window.history.replaceState(null, "", url);
    draw();
  }

  // -- the tooltip ---------------------------------------------------------------------------
  function show(point) {
    const s = data.series[Number(point.dataset.series)];
    const i = Number(point.dataset.index);
    state.active = { s: Number(point.dataset.series), i };
    const d = describe(s, i);
    const head = htmlEl("p", { class: "tt-head" });
    head.append(htmlEl("strong", { class: "tt-period" }, d.title), " ",
      htmlEl("span", { class: `tt-series ${s.cls}` }, d.series));
    tooltip.replaceChildren(head, htmlEl("p", { class: "tt-value" }, d.value),
      htmlEl("p", { class: "tt-other" }, d.other), htmlEl("p", { class: "tt-ci" }, d.ci));
    if (d.small) tooltip.appendChild(htmlEl("p", { class: "tt-small" }, d.small));
    tooltip.hidden = false;
    const box = figure.getBoundingClientRect();
    const dot = point.getBoundingClientRect();
    const cx = dot.left + dot.width / 2 - box.left;
    const top = dot.top - box.top;
    const w = tooltip.offsetWidth;
    const h = tooltip.offsetHeight;
    tooltip.style.left = `${Math.max(0, Math.min(box.width - w, cx - w / 2))}px`;
    tooltip.style.top = `${top - h - 10 >= 0 ? top - h - 10 : top + dot.height + 10}px`;
    svg.querySelectorAll(".point.active").forEach((p) => p.classList.remove("active"));
    point.classList.add("active");
  }

  function hide() {
    tooltip.hidden = true;
    delete tooltip.dataset.tapped;
    state.active = null;
    svg.querySelectorAll(".point.active").forEach((p) => p.classList.remove("active"));
  }

  /** Arrow keys move along a series (Left/Right, Home/End) and between series (Up/Down). */
  function move(point, key) {
    const k = Number(point.dataset.series);
    const i = Number(point.dataset.index);
    const shown = data.series.map((_, j) => j).filter((j) => !state.hidden.has(j));
    // the periods with a point in a series (gaps have none)
    const at = (j) => [...svg.querySelectorAll(`.point[data-series="${j}"]`)]
      .map((p) => Number(p.dataset.index));
    const mine = at(k);
    const nearest = (list) => list.reduce((best, v) =>
      (best === null || Math.abs(v - i) < Math.abs(best - i) ? v : best), null);
    let target = null;
    if (key === "ArrowRight") target = [k, mine.find((v) => v > i) ?? i];
    else if (key === "ArrowLeft") target = [k, [...mine].reverse().find((v) => v < i) ?? i];
    else if (key === "Home") target = [k, mine[0]];
    else if (key === "End") target = [k, mine[mine.length - 1]];
    else if (key === "ArrowDown" || key === "ArrowUp") {
      const next = shown.indexOf(k) + (key === "ArrowDown" ? 1 : -1);
      if (next >= 0 && next < shown.length) {
        const j = shown[next];
        const v = nearest(at(j));
        if (v !== null) target = [j, v];
      }
    } else if (key === "Escape") {
      hide();
      return true;
    } else return false;
    if (target) {
      const next = svg.querySelector(`.point[data-series="${target[0]}"][data-index="${target[1]}"]`);
      if (next) {
        point.setAttribute("tabindex", "-1");
        next.setAttribute("tabindex", "0");
        next.focus();
      }
    }
    return true;
  }

  // -- drawing -------------------------------------------------------------------------------
  function draw() {
    const keep = state.active;
    const wasFocused = svg.contains(document.activeElement);
    const width = Math.max(260, Math.round(figure.clientWidth));
    const narrow = width < 520;
    const height = narrow ? 230 : 300;
    const m = { left: narrow ? 40 : 52, right: narrow ? 10 : 16, top: 14, bottom: 30 };
    const plotW = width - m.left - m.right;
    const plotH = height - m.top - m.bottom;
    const n = data.periods.length;
    const shown = data.series.map((s, k) => [s, k]).filter(([, k]) => !state.hidden.has(k));
    const lines = shown.map(([s, k]) => {
      const ys = values(s);
      return { s, k, ys, avg: data.window > 1 ? movingAverage(ys, data.window) : null };
    });
    const top = Math.max(0, ...lines.flatMap((l) => [...l.ys, ...(l.avg || [])])
      .filter((v) => v !== null));
    const ticks = niceTicks(top, narrow ? 4 : 5, state.mode === "hits");
    const yMax = ticks[ticks.length - 1];
    const x = (i) => m.left + (n > 1 ? (i * plotW) / (n - 1) : plotW / 2);
    const y = (v) => m.top + plotH - (v / yMax) * plotH;
    const r1 = (v) => Math.round(v * 10) / 10;

    svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
    svg.setAttribute("aria-label", `${label}: ${MODES[state.mode].toLowerCase()}`);
    svg.replaceChildren();
    const grid = svgEl("g", { class: "grid", "aria-hidden": "true" }, svg);
    for (const t of ticks) {
      svgEl("line", { class: t === 0 ? "axis" : "gridline", x1: m.left, x2: width - m.right,
        y1: r1(y(t)), y2: r1(y(t)) }, grid);
      const text = svgEl("text", { class: "label ylabel", x: m.left - 6, y: r1(y(t)) + 4,
        "text-anchor": "end" }, grid);
      text.textContent = state.mode === "per_10k" ? String(t) : number.format(t);
    }
    const labelWidth = { day: 86, month: 64, quarter: 64, year: 42 }[data.by] || 64;
    const every = Math.max(1, Math.ceil(n / Math.max(1, Math.floor(plotW / labelWidth))));
    data.periods.forEach((p, i) => {
      if (i % every) return;
      const text = svgEl("text", { class: "label xlabel", x: r1(x(i)), y: height - m.bottom + 18,
        "text-anchor": n > 1 && i === 0 && narrow ? "start" : "middle" }, grid);
      text.textContent = p;
    });
    if (!lines.length) {
      const text = svgEl("text", { class: "label empty", x: width / 2, y: height / 2,
        "text-anchor": "middle" }, svg);
      text.textContent = "Every series is hidden: turn one on in the legend.";
    }
    let first = true;
    for (const { s, k, ys, avg } of lines) {
      const g = svgEl("g", { class: `series ${s.cls}` }, svg);
      for (const path of runs(ys, x, y, r1)) {
        svgEl("polyline", { class: "line", points: path, "aria-hidden": "true" }, g);
      }
      if (avg) {
        for (const a of runs(avg, x, y, r1)) {
          svgEl("polyline", { class: "avg", points: a, "aria-hidden": "true" }, g);
        }
      }
      ys.forEach((v, i) => {
        if (v === null) return; // a gap: no documents in this period
        const d = describe(s, i);
        const point = svgEl("circle", {
          class: s.small[i] ? "point small" : "point", cx: r1(x(i)), cy: r1(y(v)),
          r: narrow ? 4 : 3.5, role: "link", "data-href": s.search[i],
          tabindex: first ? 0 : -1, "data-series": k, "data-index": i,
          "aria-label": `${d.title}, ${d.series}: ${d.value}; ${d.other}; ${d.ci}${d.small ? `; ${d.small}` : ""}`,
        }, g);
        first = false;
        point.addEventListener("pointerenter", () => show(point));
        point.addEventListener("pointerleave", (e) => {
          if (e.pointerType === "mouse" && document.activeElement !== point) hide();
        });
        point.addEventListener("click", (e) => {
          // a mouse click opens the turns; a first tap shows the tooltip, a second opens them
          const key = `${k}/${i}`;
          if (e.pointerType === "mouse" || tooltip.dataset.tapped === key) {
            window.location.href = point.dataset.href;
          } else {
            show(point);
            tooltip.dataset.tapped = key;
          }
        });
        point.addEventListener("focus", () => show(point));
        point.addEventListener("blur", hide);
        point.addEventListener("keydown", (e) => {
          if (e.key === "Enter") {
            window.location.href = point.dataset.href;
            e.preventDefault();
          } else if (move(point, e.key)) e.preventDefault();
        });
      });
    }
    unit.textContent = `${MODES[state.mode]}${data.window > 1
      ? `; dashed: ${data.window}-period moving average` : ""}`;
    const again = keep && !state.hidden.has(keep.s)
      ? svg.querySelector(`.point[data-series="${keep.s}"][data-index="${keep.i}"]`) : null;
    if (again) {
      svg.querySelectorAll('.point[tabindex="0"]').forEach((p) => p.setAttribute("tabindex", "-1"));
      again.setAttribute("tabindex", "0");
      show(again);
      if (wasFocused) again.focus();
    } else hide();
  }

  let lastWidth = 0;
  const redraw = () => {
    const w = Math.round(figure.clientWidth);
    if (w !== lastWidth) {
      lastWidth = w;
      draw();
    }
  };
  if ("ResizeObserver" in window) new ResizeObserver(redraw).observe(figure);
  else window.addEventListener("resize", redraw);
  redraw();
}

document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("figure.trend-chart[data-source]").forEach(trendChart);
});
