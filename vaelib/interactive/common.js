// Helpers shared by the figures. Pasted inside each figure's closure: no global names.

// Base64 text → bytes.
function vfBytes(b64) {
  const text = atob(b64);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}

// Little-endian IEEE 754 numbers (float16, float32 or int8) → Float64Array, exactly.
function vfNumbers(b64, dtype) {
  const bytes = vfBytes(b64);
  const view = new DataView(bytes.buffer);
  if (dtype === "int8") return Float64Array.from(new Int8Array(bytes.buffer));
  if (dtype === "uint8") return Float64Array.from(bytes);
  if (dtype === "float32") {
    const out = new Float64Array(bytes.length / 4);
    for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(4 * i, true);
    return out;
  }
  if (dtype === "float16") {
    const out = new Float64Array(bytes.length / 2);
    for (let i = 0; i < out.length; i++) {
      const h = view.getUint16(2 * i, true);
      const sign = h & 0x8000 ? -1 : 1;
      const exponent = (h >> 10) & 0x1f;
      const fraction = h & 0x3ff;
      if (exponent === 0) out[i] = sign * fraction * Math.pow(2, -24);
      else if (exponent === 31) out[i] = fraction ? NaN : sign * Infinity;
      else out[i] = sign * (1 + fraction / 1024) * Math.pow(2, exponent - 15);
    }
    return out;
  }
  throw new Error("vaelib figure: unknown dtype " + dtype);
}

// The figure's theme colours, read from its CSS variables (--vf-fg, --vf-accent, ...).
function vfColour(root, name) {
  return getComputedStyle(root).getPropertyValue("--vf-" + name).trim();
}

// Call `redraw` whenever the book's, JupyterLab's or the system's light/dark theme changes.
function vfOnThemeChange(redraw) {
  const observer = new MutationObserver(redraw);
  const options = { attributes: true, attributeFilter: ["data-theme", "data-jp-theme-light"] };
  observer.observe(document.documentElement, options);
  if (document.body) observer.observe(document.body, options);
  if (window.matchMedia) {
    const query = window.matchMedia("(prefers-color-scheme: dark)");
    if (query.addEventListener) query.addEventListener("change", redraw);
  }
}

// Find this figure's root element(s) and initialise each once. The script sits inside its
// root, so `document.currentScript` finds it; where that is unavailable, the root's id does.
function vfStart(figureId, init) {
  const script = document.currentScript;
  const here = script && script.closest ? script.closest("[data-vaelib-fig]") : null;
  const roots = here ? [here] : document.querySelectorAll('[data-vaelib-fig="' + figureId + '"]');
  roots.forEach(function (root) {
    if (root.dataset.vfState) return;
    root.dataset.vfState = "starting";
    init(root);
    root.querySelectorAll(".vf-nojs").forEach(function (el) { el.remove(); });
    root.dataset.vfState = "ready";
  });
}
