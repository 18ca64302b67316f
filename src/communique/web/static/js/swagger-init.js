// The API browser: swagger-ui (served from the installed swagger-ui-bundle, no CDN) over our
// OpenAPI description. The bundled swagger-ui (4.x) reads OpenAPI 3.0 only, while FastAPI
// writes 3.1; the differences that matter here are small, so the description is shown as 3.0:
// `anyOf: [X, {type: "null"}]` becomes X with `nullable: true`.
"use strict";

function as30(node) {
  if (Array.isArray(node)) return node.map(as30);
  if (node === null || typeof node !== "object") return node;
  const out = {};
  for (const [key, value] of Object.entries(node)) out[key] = as30(value);
  if (Array.isArray(out.anyOf)) {
    const rest = out.anyOf.filter((s) => !(s && s.type === "null"));
    if (rest.length < out.anyOf.length && rest.length === 1) {
      delete out.anyOf;
      Object.assign(out, rest[0], { nullable: true });
    }
  }
  if (out.type === "null") return { nullable: true };
  return out;
}

async function start() {
  const target = document.getElementById("swagger-ui");
  try {
    const response = await fetch("/api/v1/openapi.json");
    const spec = await response.json();
    if (String(spec.openapi || "").startsWith("3.1")) spec.openapi = "3.0.3";
    window.ui = window.SwaggerUIBundle({
      spec: as30(spec),
      dom_id: "#swagger-ui",
      deepLinking: true,
      presets: [window.SwaggerUIBundle.presets.apis],
      layout: "BaseLayout",
    });
  } catch (error) {
    target.textContent = `The API description could not be loaded: ${error}`;
  }
}

window.addEventListener("load", start);
